"""sitemap.xml (https://www.sitemaps.org/protocol.html) and robots.txt.

/sitemap.xml is an index of one sitemap per section (/sitemap-encounters.xml and so on, paged
with ?p=N past 10,000 URLs). Only public pages are listed: published encounters, the people who
took part in them and the topics, each with the time its content last changed.
"""

import functools

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import caches
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from engagements.domain.models import published
from engagements.infrastructure.derived import data_version_tag
from engagements.models import Encounter, Person, Topic


class EncounterSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 10_000  # well under the protocol's 50,000 URLs per file; more pages follow

    def items(self):
        return Encounter.objects.published().only("slug", "updated_at").order_by("id")

    def lastmod(self, encounter):
        return encounter.updated_at


class PublishedActivitySitemap(Sitemap):
    """People and topics: listed when a published encounter links to them; changed when it did."""

    changefreq = "weekly"
    priority = 0.5
    limit = 10_000
    model = None
    encounters_path = ""

    def items(self):
        in_public = published(f"{self.encounters_path}__")
        return (
            self.model.objects.annotate(
                last_change=Max(f"{self.encounters_path}__updated_at", filter=in_public)
            )
            .filter(last_change__isnull=False)
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.last_change


class PersonSitemap(PublishedActivitySitemap):
    model = Person
    encounters_path = "participations__encounter"


class TopicSitemap(PublishedActivitySitemap):
    model = Topic
    encounters_path = "encounters"


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["home", "encounter-list", "person-list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PagesSitemap,
    "encounters": EncounterSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
}

# Admin is private; exports and the API are for programs, and a crawler following every filter
# combination through them would only load the database.
ROBOTS_DISALLOW = ["/admin/", "/api/", "/encounters.csv", "/encounters.json"]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# --- Cached whatever the parameters -----------------------------------------------------------


def cached_whatever_the_parameters(view):
    """A sitemap file is the same for every query string but its page (`p`): kept for
    SITEMAP_CACHE_SECONDS under the data version (a publish starts afresh), keyed by the
    address it is served at, its section and page only. A throwaway parameter (?x=<random>)
    then costs a cache read, not a walk over every published encounter."""

    @functools.wraps(view)
    def cached(request, *args, **kwargs):
        seconds = settings.SITEMAP_CACHE_SECONDS
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        page = request.GET.get("p", "1")
        key = ":".join(
            ["sitemap", data_version_tag(), request.scheme, request.get_host()]
            + [view.__name__, kwargs.get("section") or "", page[:12]]
        )
        cache = caches[settings.CACHE_MIDDLEWARE_ALIAS]
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code == 200:
                cache.set(key, response, seconds)
        return response

    return cached


sitemap_index = cached_whatever_the_parameters(sitemap_views.index)
sitemap_section = cached_whatever_the_parameters(sitemap_views.sitemap)
