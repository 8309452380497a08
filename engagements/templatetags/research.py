"""Template helpers for the export links."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

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
