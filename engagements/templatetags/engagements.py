"""Template filters: safe Markdown and small display helpers."""

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# What editors may use in summaries and outcomes; everything else is stripped by nh3.
ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "h3", "h4"}


@register.filter
def markdown(text):
    """Render editor Markdown to HTML, then sanitise it (no raw HTML, no script URLs)."""
    if not text:
        return ""
    html = markdown_lib.markdown(text, output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 above


@register.filter
def encounter_dates(encounter):
    """The encounter's dates at the precision they are known, in Washington's calendar."""
    start, end = encounter.start_date, encounter.end_date
    if encounter.date_precision == "year":
        return f"{start:%Y}"
    if encounter.date_precision == "month":
        return f"{start:%B %Y}"
    if not end or end == start:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {start:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


@register.filter
def minutes(value):
    """A duration in minutes as people say it: “90” → “1 hour 30 minutes”."""
    if not value:
        return ""
    hours, rest = divmod(int(value), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


@register.filter
def span_days(encounter):
    """How many calendar days an encounter covers (1 for a single day)."""
    if not encounter.end_date:
        return 1
    return (encounter.end_date - encounter.start_date).days + 1


@register.simple_tag
def field_widget(field):
    """A form field's widget, described by its error and help text for screen readers."""
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}-errors")
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids else None)


@register.filter
def given_value(field):
    """What the request gave for a form field, as text: “a, b” for a repeated parameter."""
    value = field.value()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value if item)
    return "" if value is None else str(value)


@register.filter
def level_phrase(encounter):
    """“Leader level”, “Working level” (never “Working level level”)."""
    label = encounter.get_level_display()
    return label if label.lower().endswith("level") else f"{label} level"


SIDE_SHORT = {"us": "US", "prc": "PRC", "other": "other"}


@register.filter
def side_short(side):
    """A participant's side as a list row shows it beside the name: US, PRC or other."""
    return SIDE_SHORT.get(side, side)


@register.simple_tag
def page_numbers(page_obj):
    """The page numbers to link: the first, the last and two either side of this one."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.filter(name="country_name")
def country_name_filter(code):
    """An ISO 3166-1 alpha-2 code as the country's name (engagements/domain/countries.py)."""
    from engagements.domain.countries import country_name

    return country_name(code)
