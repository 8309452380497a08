"""The timeline drawing's repeated elements (bars, marks, gap labels), one format_html each.

A timeline draws hundreds to thousands of bars and marks, each with about ten values. Drawn
by template loops, every value went through variable lookup, localisation and the date
filter: most of the timeline's, a person's and a topic's page time (docs/operators.md,
"Performance"). Each element is the markup the template loop wrote, character for character:
coordinates are plain Python numbers (the drawing is never localised, see timeline_svg.html)
and dates are written as the date filter wrote them ("Y-m-d", and "F Y" with Django's
translated month names).
"""

import html

from django import template
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe

register = template.Library()


def _escaped(value):
    """conditional_escape(value) without its lazy-string check (the drawing has no lazy
    strings): the same html.escape that django.utils.html.escape applies. A number's digits
    need none."""
    if type(value) in (float, int):
        return str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def format_html(format_string, *args):
    """django.utils.html.format_html for thousands of elements: the same escaping, a quarter
    of the time (format_html checks every argument for lazy strings first)."""
    return mark_safe(format_string.format(*map(_escaped, args)))  # noqa: S308 - escaped


def format_html_join(sep, format_string, args_generator):
    return mark_safe(sep.join(format_html(format_string, *args) for args in args_generator))  # noqa: S308


def _month_names():
    """The date filter's "F" of each month, translated once per drawing (not once per bar)."""
    return {month: str(name) for month, name in MONTHS.items()}


def _iso(day):
    """The date filter's "Y-m-d"."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


@register.simple_tag
def timeline_bars(timeline):
    """The per-month chart's bars."""
    months = _month_names()
    return format_html_join(
        "",
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}" data-month="{}">'
        "<title>{}: {}</title></rect>",
        (
            (
                bar.x,
                bar.y,
                bar.width,
                bar.height,
                _iso(bar.month),
                f"{months[bar.month.month]} {bar.month.year:04d}",  # the date filter's "F Y"
                bar.count,
            )
            for bar in timeline.bars
        ),
    )


_LINK = (
    '<a href="{}" class="mark" aria-label="{}" data-day="{}" data-title="{}" data-when="{}"'
    ' data-principals="{}"><title>{}</title>'
)
# A period's count is a circle sized by it; an encounter is its kind's symbol.
_COUNT_MARK = _LINK + '<circle class="k-many" cx="{}" cy="{}" r="{}"></circle></a>'
_ENCOUNTER_MARK = (
    _LINK + '<use href="#shape-{}" class="k-{}" x="{}" y="{}" width="16" height="16"></use></a>'
)


def _mark(mark):
    link = (mark.url, mark.label, mark.day, mark.title, mark.when, mark.principals, mark.label)
    if mark.kind == "many":
        return format_html(_COUNT_MARK, *link, mark.x, mark.y, mark.radius)
    return format_html(_ENCOUNTER_MARK, *link, mark.kind, mark.kind, mark.symbol_x, mark.symbol_y)


# What separated the marks in the template loop, so that the page's markup does not change.
MARK_INDENT = "\n    "


@register.simple_tag
def lane_marks(lane):
    """A lane's marks, each a link to the encounter or to the list of a period's encounters."""
    marks = "".join(f"{MARK_INDENT}{_mark(mark)}{MARK_INDENT}" for mark in lane.marks)
    return mark_safe(marks)  # noqa: S308 - each mark is built by format_html


@register.simple_tag
def gap_labels(timeline):
    """The leader lane's gaps that are wide enough for their label."""
    return format_html_join(
        "",
        '<g class="gap" aria-hidden="true" data-start="{}" data-end="{}"><line x1="{}" x2="{}"'
        ' y1="{}" y2="{}"></line><text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        (
            (
                _iso(gap.start),
                _iso(gap.end),
                gap.x1,
                gap.x2,
                gap.y,
                gap.y,
                gap.mid_x,
                gap.label_y,
                gap.label,
            )
            for gap in timeline.labelled_gaps
        ),
    )
