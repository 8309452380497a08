"""Page URLs by slug, with reverse() run once per view instead of once per link.

A list page links every row's encounter and principals, a sitemap 50,000 encounters: reverse()
costs tens of microseconds a call. slug_url() reverses each view once (per URL configuration
and script prefix) with a marker in place of the slug, then puts the slug in its place; the
result is reverse()'s. Slugs are URL-safe by their validator ([-a-zA-Z0-9_]); anything else
goes through reverse() as before, so it fails as it did.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.text import slugify

# Dashes that join words in titles ("Rubio–Wang Yi phone call"): slugify() drops them, which
# would run the words together ("rubiowang-yi"), so they become hyphens first.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
SLUG_MAX_LENGTH = 200


def make_slug(*parts):
    """The slug of a title and what follows it (a date): every slug the project makes.

    Words joined by a dash keep both words; the result fits the slug fields' 200 characters.
    """
    text = _DASHES.sub("-", " ".join(str(part) for part in parts if part not in (None, "")))
    return slugify(text)[:SLUG_MAX_LENGTH].strip("-")


_MARKER = "slug-url-marker"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.lru_cache(maxsize=64)
def _parts(view_name, script_prefix, urlconf):
    return tuple(reverse(view_name, urlconf=urlconf, kwargs={"slug": _MARKER}).split(_MARKER))


def slug_url(view_name, slug):
    """reverse(view_name, kwargs={"slug": slug})."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        return reverse(view_name, kwargs={"slug": slug})
    before, after = _parts(view_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{before}{slug}{after}"
