"""Template helpers for the export links and the statistics charts."""

import html

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def with_current_filters(context, url_name, *args):
    """The URL named url_name (with `args`), carrying the current page's filters (never its page
    number)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    query = urlencode(sorted(params.lists()), doseq=True)
    url = reverse(url_name, args=args)
    return f"{url}?{query}" if query else url


# -- The charts' repeated elements (templates/includes/chart.html) ----------------------------
#
# A statistics chart draws a bar segment per row and series and a table cell per row and column:
# thousands of values on /stats/, each through the template's variable lookup, localisation and
# escaping, which took most of the page's time. These write the markup the template loops wrote,
# character for character, with the same localisation and escaping of each value.


def _shown_by_template():
    """A function showing a value as {{ value }} does (localised, then escaped), with the
    template's own work done up front for the plain numbers and strings a chart is made of:
    without a thousands separator an int is its digits and a float its str() with the active
    language's decimal separator (django.utils.numberformat), and a str is html.escape()d."""
    separator = get_format("DECIMAL_SEPARATOR")
    grouped = settings.USE_THOUSAND_SEPARATOR

    def shown(value):
        kind = type(value)
        if kind is str:
            return html.escape(value)
        if kind is int and not grouped:
            return str(value)
        if kind is float and not grouped:
            text = str(value)
            if text.replace(".", "").replace("-", "").isdigit():
                return text.replace(".", separator)
        return conditional_escape(localize(value))

    return shown


@register.simple_tag
def chart_bars(chart):
    """Each row's label, bar segments and total (the SVG's rows)."""
    _shown = _shown_by_template()
    label_x = _shown(chart.label_x)
    totals = chart.show_total and not chart.grouped
    parts = []
    for row in chart.rows:
        label_y = _shown(row.label_y)
        parts.append(
            f'<g class="row"><text class="row-label" x="{label_x}" y="{label_y}" '
            f'text-anchor="end">{_shown(row.label)}</text>'
        )
        parts.extend(
            f'<rect class="{_shown(s.css)}" x="{_shown(s.x)}" y="{_shown(s.y)}" '
            f'width="{_shown(s.width)}" height="{_shown(s.height)}">'
            f"<title>{_shown(s.title)}</title></rect>"
            for s in row.segments
        )
        total = row.total if totals else None
        if total:
            parts.append(
                f'<text class="row-total" x="{_shown(row.total_x)}" y="{label_y}">'
                f"{_shown(total)}</text>"
            )
        parts.append("</g>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by shown()


@register.simple_tag
def chart_table_rows(chart):
    """The data table's body rows: the first cell a row heading (linked when the row has a
    list URL), the others data cells."""
    _shown = _shown_by_template()
    parts = []
    for row, cells in chart.table:
        first, *rest = cells
        heading = _shown(first)
        if row.url:
            heading = f'<a href="{_shown(row.url)}">{heading}</a>'
        parts.append(f'<tr><th scope="row">{heading}</th>')
        parts.extend(f"<td>{_shown(cell)}</td>" for cell in rest)
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by shown()
