"""/feeds/encounters.atom: newly published encounters, honouring the list's filters.

A researcher subscribes to "climate" with /feeds/encounters.atom?topic=climate, or to leader-level
encounters with ?level=leader: any parameter of the public list works (domain/filters.py),
except its sort, since a feed is always newest-published first.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode

from engagements.domain.filters import filter_encounters
from engagements.domain.text import xml_safe
from engagements.surfaces.citations import plain_text
from engagements.surfaces.exports import bad_parameters
from engagements.templatetags.engagements import encounter_dates

FEED_LENGTH = 50


class XmlSafeAtom1Feed(Atom1Feed):
    """Atom without the control characters XML 1.0 forbids: Django's writer refuses them, so
    one in a title, or in a parameter the feed's title echoes, would make the feed a 500."""

    def write(self, outfile, encoding):
        self.feed = xml_safe(self.feed)
        self.items = [xml_safe(item) for item in self.items]
        super().write(outfile, encoding)


class EncounterFeed(Feed):
    feed_type = XmlSafeAtom1Feed
    author_name = settings.SITE_NAME

    def __call__(self, request, *args, **kwargs):
        filterset, _ = filter_encounters(request.GET)
        if not filterset.is_valid():
            return bad_parameters(filterset, "atom")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        filterset, queryset = filter_encounters(request.GET)
        return FeedQuery(request, filterset, queryset)

    def title(self, query):
        return f"{settings.SITE_NAME}: {query.description}"

    def subtitle(self, query):
        return "Encounters between US and PRC officials, newest published first."

    def link(self, query):
        return query.list_url

    def feed_url(self, query):
        return query.request.build_absolute_uri()

    def items(self, query):
        return (
            query.queryset.order_by("-published_at", "-id")
            .select_related("place")
            .prefetch_related("topics")[:FEED_LENGTH]
        )

    def item_title(self, encounter):
        return f"{encounter.title} ({encounter_dates(encounter)})"

    def item_description(self, encounter):
        # Atom's summary is type="html": a reader unescapes it once and renders the result as
        # HTML. The summary is plain text, so it is escaped here once more, and "<img …>" in it
        # reaches the reader as the text it is on the page, never as markup.
        return escape(plain_text(encounter.summary))

    def item_pubdate(self, encounter):
        return encounter.published_at

    def item_updateddate(self, encounter):
        return encounter.updated_at

    def item_categories(self, encounter):
        return [topic.name for topic in encounter.topics.all()]


class FeedQuery:
    """The filters of one feed request, and what to call it."""

    # Filters a feed ignores: it has its own order.
    IGNORED = {"sort", "page"}

    def __init__(self, request, filterset, queryset):
        self.request = request
        self.filterset = filterset
        self.queryset = queryset

    @property
    def params(self):
        return [
            (name, value)
            for name, values in sorted(self.request.GET.lists())
            if name not in self.IGNORED
            for value in values
            if value
        ]

    @property
    def description(self):
        if not self.params:
            return "all encounters"
        return ", ".join(f"{name} {value}" for name, value in self.params)

    @property
    def list_url(self):
        query = urlencode(self.params)
        return reverse("encounter-list") + (f"?{query}" if query else "")


encounter_feed = EncounterFeed()
