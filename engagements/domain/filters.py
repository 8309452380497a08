"""The public URL contract for lists of encounters, as one django-filter FilterSet.

Every page and endpoint that lists encounters (the list, the timeline, the API, CSV and JSON
exports, feeds) takes the same parameters, documented in docs/researchers.md ("Public URLs"):

    q             full text, web-search syntax ("climate -Kerry", "joint statement")
    kind, level, venue   repeatable; any of the given values (an encounter has one of each)
    person        a person's slug, repeatable; encounters where ALL of them took part
    topic         a topic's slug, repeatable; encounters tagged with ALL of them
    country       ISO 3166-1 alpha-2 code of the place
    initiated_by  us, prc, both, unknown
    provenance    curated, hsg, synthetic
    date_after, date_before   YYYY-MM-DD, inclusive; an encounter matches when its days
                  (start_date..end_date) overlap the range
    sort          date, -date, relevance (default: relevance with q, else -date)

A repeatable parameter takes at most MAX_VALUES values; more is a 400 (docs/operators.md,
"Security limits"). Topics, like people, narrow the results with each value added (AND): a
researcher who ticks "Climate" and then "Taiwan" is asking for encounters that covered both.
Kind, level and venue are single-valued on an encounter, so for them only "any of" (OR) means
anything.

Reuse it through `filter_encounters(request.GET)`, which applies `published()` and returns
(filterset, queryset); check `filterset.is_valid()` and answer 400 with `filterset.errors`.
DRF's DjangoFilterBackend takes `filterset_class = EncounterFilterSet` as it is.
"""

import datetime
import re

import django_filters
from django import forms
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe

from engagements.domain.search import (
    KEPT_TERMS_SEPARATOR,
    chinese_words,
    spelling_lexicon,
    suggest_spelling,
    websearch_text,
)
from engagements.models import SEARCH_CONFIG, Encounter, Person, Place, Side, Topic

SORT_DATE = "date"
SORT_NEWEST = "-date"
SORT_RELEVANCE = "relevance"
# Best match first; among equals, newest first (the pager recognises a ranked list by it).
RELEVANCE_ORDERING = ("-rank", "-start_date", "-id")
SORT_CHOICES = [
    (SORT_NEWEST, "Newest first"),
    (SORT_DATE, "Oldest first"),
    (SORT_RELEVANCE, "Relevance (with a search)"),
]
ORDERINGS = {
    SORT_NEWEST: ("-start_date", "-id"),
    SORT_DATE: ("start_date", "id"),
}
DATE_FORMAT = "%Y-%m-%d"
# The error code of a date range that ends before it starts (the API answers it differently).
BACKWARDS_RANGE = "backwards_range"


def search_query(text):
    """The tsquery for a researcher's search box text: web-search syntax, our stored config.

    Chinese words are spelt as the kept document spells them (engagements/domain/search.py).
    """
    return SearchQuery(websearch_text(text), search_type="websearch", config=SEARCH_CONFIG)


class EncounterFilterForm(forms.Form):
    """Checks beyond single values: one sort order; a date range must not run backwards."""

    def clean(self):
        cleaned = super().clean()
        if len(cleaned.get("sort") or []) > 1:
            self.add_error("sort", "Choose one sort order.")
        after, before = cleaned.get("date_after"), cleaned.get("date_before")
        if after and before and after > before:
            self.add_error(
                "date_before",
                ValidationError("The end of the range is before its start.", code=BACKWARDS_RANGE),
            )
        return cleaned


class DatePicker(forms.DateInput):
    """<input type="date">. HTML allows only a real date as its value, so an entry that is not
    one is not put back into it; the error summary repeats what was given instead."""

    input_type = "date"

    def format_value(self, value):
        if isinstance(value, str):
            try:
                datetime.datetime.strptime(value, DATE_FORMAT)
            except ValueError:
                return None
        return super().format_value(value)


class IsoDateFilter(django_filters.DateFilter):
    """A date in the contract's one format, YYYY-MM-DD, shown as a date picker."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", [DATE_FORMAT])
        kwargs.setdefault("widget", DatePicker(format=DATE_FORMAT))
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a date as YYYY-MM-DD, e.g. 2021-09-09."}
        )
        super().__init__(*args, **kwargs)


# The most values one repeatable parameter may take (person, topic, kind, level, venue). People
# and topics narrow with each value ("all of"), so more than a few match nothing in practice,
# while each one costs the database work: past this, the request is a 400 before any query.
MAX_VALUES = 10


class CappedValues:
    """A multiple-value form field that refuses more than MAX_VALUES values, before any lookup."""

    def clean(self, value):
        if value and len(value) > MAX_VALUES:
            raise forms.ValidationError(
                f"Give at most {MAX_VALUES} values for this filter ({len(value)} were given).",
                code="too_many_values",
            )
        return super().clean(value)


class CappedMultipleChoiceField(CappedValues, django_filters.fields.MultipleChoiceField):
    pass


class CappedModelMultipleChoiceField(CappedValues, django_filters.fields.ModelMultipleChoiceField):
    pass


class CappedMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CappedMultipleChoiceField


class CappedModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CappedModelMultipleChoiceField


class SortFilter(django_filters.OrderingFilter):
    """`sort`: one of SORT_CHOICES. Without it: relevance with a search, else newest first.

    Relevance ranks by the search text, so it reads the `q` filter's value from its FilterSet;
    the FilterSet applies `sort` last (it is declared last), after every filter has narrowed the
    rows. django-filter's ordering takes a comma list; the form accepts one value.
    """

    def __init__(self, **kwargs):
        super().__init__(choices=SORT_CHOICES, **kwargs)

    def filter(self, queryset, value):
        order = self.parent.sort_order
        if order == SORT_RELEVANCE:
            rank = SearchRank(F("search_vector"), search_query(self.parent.search_text))
            return queryset.annotate(rank=rank).order_by(*RELEVANCE_ORDERING)
        return queryset.order_by(*ORDERINGS[order])


class EncounterFilterSet(django_filters.FilterSet):
    # kind, level and venue are columns of the encounter, so their filters never repeat a row:
    # distinct=False spares every count and page a DISTINCT over all the row's columns (a sort
    # of every matching row, wide text included).
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=200,
        help_text='Words, "a phrase", or -word to leave out.',
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = CappedMultipleChoiceFilter(
        choices=Encounter.Kind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    level = CappedMultipleChoiceFilter(
        choices=Encounter.Level.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    venue = CappedMultipleChoiceFilter(
        choices=Encounter.Venue.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    person = CappedModelMultipleChoiceFilter(
        label="People",
        # Only those of published encounters: one known only from drafts answers exactly as
        # an unknown slug does, so drafts cannot be found out by trying slugs.
        queryset=Person.objects.shown_publicly().select_related("published_count"),
        to_field_name="slug",
        method="filter_all_people",
        # Never rendered as a <select> of every person: the list shows facet checkboxes.
        widget=forms.MultipleHiddenInput,
    )
    topic = CappedModelMultipleChoiceFilter(
        label="Topics",
        # Only those of published encounters: one known only from drafts answers exactly as
        # an unknown slug does, so drafts cannot be found out by trying slugs.
        queryset=Topic.objects.shown_publicly(),
        to_field_name="slug",
        method="filter_all_topics",
        widget=forms.MultipleHiddenInput,
    )
    country = django_filters.CharFilter(
        label="Country",
        method="filter_country",
        max_length=2,
        validators=[
            RegexValidator(r"^[A-Za-z]{2}$", "Enter a two-letter ISO country code, e.g. CN.")
        ],
    )
    initiated_by = django_filters.ChoiceFilter(
        label="Initiated by", choices=Encounter.Initiator.choices, empty_label="Either side"
    )
    provenance = django_filters.ChoiceFilter(
        label="Record source", choices=Encounter.Provenance.choices, empty_label="All records"
    )
    date_after = IsoDateFilter(
        label="From", field_name="end_date", lookup_expr="gte", help_text="YYYY-MM-DD"
    )
    date_before = IsoDateFilter(
        label="To", field_name="start_date", lookup_expr="lte", help_text="YYYY-MM-DD"
    )
    sort = SortFilter(
        label="Sort", empty_label="Best first (relevance when searching, else newest)"
    )

    class Meta:
        model = Encounter
        fields = []
        form = EncounterFilterForm

    # True when the rows filtered are every published encounter (filter_encounters() without
    # a narrower queryset; the API's list): then, with no filter active, the totals and facet
    # counts are the kept ones (domain/facets.py, counts_kept), on every surface alike.
    whole_record = False

    # Filters whose options show facet counts, in the order the form shows them.
    FACETS = ["kind", "level", "venue", "topic", "person", "country", "initiated_by", "provenance"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(search_vector=search_query(value))

    # The type hints name what the methods receive (and tell drf-spectacular the schema of the
    # parameter cannot be guessed from the model: the API declares it).
    # "All of these" is one GIN-indexed `@>` on the arrays the database keeps of each
    # encounter's people and topics (EncounterLinks, engagements/domain/counts.py), whatever
    # the number of values.
    def filter_all_people(self, queryset, name, value: list[Person]):
        if not value:
            return queryset
        queryset = queryset.filter(links__person_ids__contains=sorted({p.pk for p in value}))
        return queryset.filter(**shared_dates(value))

    def filter_all_topics(self, queryset, name, value: list[Topic]):
        if not value:
            return queryset
        return queryset.filter(links__topic_ids__contains=sorted({t.pk for t in value}))

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        # By the ids of the country's places, not a join on the place: PostgreSQL estimates a
        # join's share from the average country (2,556 of 90,000 for Britain, which has 3), and
        # then walks the whole date index for a first page; on place_id its statistics are exact.
        places = self.places_in(value.upper())
        if not places:
            return queryset.filter(place__country=value.upper())  # nothing; a list may not be empty
        return queryset.filter(place_id__in=places)

    def places_in(self, country):
        """The ids of `country`'s places, read once per filter set (the rows and their counts
        are filtered separately)."""
        kept = self.__dict__.setdefault("_places_in", {})
        if country not in kept:
            kept[country] = list(
                Place.objects.filter(country=country).order_by().values_list("pk", flat=True)
            )
        return kept[country]

    # -- the cleaned request, for views and other callers ---------------------------------

    @property
    def search_text(self):
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def sort_order(self):
        """The ordering in effect: the one asked for, else relevance with a search, else -date."""
        asked = (self.form.cleaned_data.get("sort") or [None])[0]
        if asked == SORT_RELEVANCE and not self.search_text:
            return SORT_NEWEST  # nothing to rank by
        return asked or (SORT_RELEVANCE if self.search_text else SORT_NEWEST)

    def unsorted_queryset(self, exclude=()):
        """The filtered rows without ordering (for counts and facets): every filter but `sort`
        and those named in `exclude`."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "sort" and name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()


def shared_dates(people):
    """start_date bounds that every published encounter of all of `people` lies within: from the
    latest of their first dates to the earliest of their last (kept exact by the database,
    PersonPublishedCount). Filtering on them too changes no result; it tells PostgreSQL where
    those encounters are. Without them, a newest-first page of someone whose encounters are all
    decades old walks the date index from today back to their years, testing each encounter's
    people on the way (270 ms at 100,000 encounters)."""
    kept = [getattr(person, "published_count", None) for person in people]
    if not kept or any(count is None or count.first_date is None for count in kept):
        return {}
    return {
        "start_date__gte": max(count.first_date for count in kept),
        "start_date__lte": min(count.last_date for count in kept),
    }


# The facets' "add by name" boxes (add_person, add_topic): not filters themselves, they lead to
# the URL with the person's or topic's slug added, so every person and topic can be chosen
# without a <select> of thousands and without JS.
ADD_BY_NAME = {"add_person": "person", "add_topic": "topic"}

# Every parameter a page of filtered encounters reads: the filters, the facets' "add" boxes,
# and what chooses the way of showing them (page, the list's table view, the timeline's lanes,
# the map's place). Shared by all of those pages, so that switching between them keeps the
# researcher's choices; anything else is dropped (UnknownParametersMiddleware).
ENCOUNTER_PAGE_PARAMETERS = frozenset(
    [*EncounterFilterSet.base_filters, *ADD_BY_NAME, "page", "view", "lanes", "place"]
)
NAME_CHOICES_SHOWN = 20


def find_by_name(param, text):
    """[(slug, label)] of the published record's people or topics that `text` names.

    An exact name (any case) wins over names that only contain the text.
    """
    text = text.strip()[:100]
    if not text:
        return []
    if param == "person":
        rows = Person.objects.shown_publicly().filter(
            Q(name__unaccent__icontains=text)
            | Q(name_zh__icontains=text)
            | Q(aliases__icontains=text)
            | Q(slug=text)
        )
        label = "{name} ({side})"
    else:
        rows = Topic.objects.shown_publicly().filter(Q(name__icontains=text) | Q(slug=text))
        label = "{name}"
    found = list(rows.order_by("name")[: NAME_CHOICES_SHOWN + 1])
    exact = [row for row in found if row.name.casefold() == text.casefold() or row.slug == text]
    chosen = exact if len(exact) == 1 else found
    return [
        (row.slug, label.format(name=row.name, side=getattr(row, "get_side_display", str)()))
        for row in chosen
    ]


class PersonFilterSet(django_filters.FilterSet):
    """/people/: find someone by any spelling of their name, or list one side."""

    q = django_filters.CharFilter(
        label="Name",
        method="filter_name",
        max_length=100,
        help_text="Latin letters or Chinese characters; other spellings count too.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    side = django_filters.ChoiceFilter(label="Side", choices=Side.choices, empty_label="All sides")

    class Meta:
        model = Person
        fields = []

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(name_zh__icontains=value) | Q(aliases__icontains=value)
        )


# A search finding fewer encounters than this may hold a misspelt name: look for a correction.
SUGGEST_BELOW = 10


def people_spelling_lexicon():
    """The names (and other spellings) a search may be corrected to: people shown publicly only,
    so a suggestion never reveals someone known from drafts alone. One query."""
    people = Person.objects.filter(published_count__encounters__gt=0)
    return spelling_lexicon(people.values_list("name", "aliases"))


def spelling_suggestion(text, lexicon=None):
    """The search text with misspelt names corrected ("Blinkin" → "Blinken"), or ""."""
    if not text or not text.strip():
        return ""
    return suggest_spelling(text, lexicon if lexicon is not None else people_spelling_lexicon())


def filter_encounters(params, queryset=None):
    """Published encounters filtered by the URL contract: returns (filterset, queryset).

    `params` is a QueryDict such as request.GET (or request.query_params). When the input is
    invalid, `filterset.is_valid()` is False, `filterset.errors` says why per field and the
    queryset is empty: answer 400. `queryset` narrows the starting set (it is always limited to
    published encounters).
    """
    if params is None:
        params = QueryDict()
    base = Encounter.objects.published()
    if queryset is not None:
        base = queryset & base
    filterset = EncounterFilterSet(params, queryset=base)
    # Facets and totals over every published encounter are kept counts (domain/counts.py).
    filterset.whole_record = queryset is None
    if not filterset.is_valid():
        return filterset, base.none()
    return filterset, filterset.qs


# ts_headline marks matches with these control characters, which never occur in stored text; the
# passage is HTML-escaped first and only then are they turned into <mark> (no editor text is
# ever trusted as HTML).
MARK_START, MARK_STOP = "\x02", "\x03"


def add_headlines(encounters, text):
    """Set `.headline` (safe HTML) on each encounter: the passages matching the search text.

    One query for the rows given (the page), never for the whole result set.
    """
    encounters = list(encounters)
    for encounter in encounters:
        encounter.headline = ""
    if not text or not encounters:
        return encounters
    # The kept document's text, without the terms added for Chinese (never shown).
    kept = Func(
        F("search_document"),
        Value(KEPT_TERMS_SEPARATOR),
        Value(1),
        function="split_part",
        output_field=TextField(),
    )
    document = Concat("summary", Value(" "), "outcomes", Value(" "), kept, output_field=TextField())
    headline = SearchHeadline(
        document,
        search_query(text),
        config=SEARCH_CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_fragments=2,
        max_words=30,
        min_words=12,
        fragment_delimiter=" … ",
    )
    rows = Encounter.objects.filter(pk__in=[e.pk for e in encounters]).annotate(headline=headline)
    words = chinese_words(text)
    if words:
        # The parser sees a run of Chinese as one word, so ts_headline cannot mark part of it:
        # the passage around the first Chinese word found is cut from the text here instead.
        rows = rows.annotate(searched_text=document)
        found = {
            pk: (passage, chinese_passage(searched, words))
            for pk, passage, searched in rows.values_list("pk", "headline", "searched_text")
        }
    else:
        found = {pk: (h, "") for pk, h in rows.values_list("pk", "headline")}
    for encounter in encounters:
        passage, chinese = found.get(encounter.pk) or ("", "")
        if MARK_START in (passage or ""):  # only show a passage that actually matched
            html = escape(passage).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
            encounter.headline = mark_safe(html)  # noqa: S308 - escaped above
        elif chinese:
            encounter.headline = chinese
    return encounters


# Characters of context either side of a Chinese word in its passage.
CHINESE_CONTEXT = 30


def chinese_passage(text, words):
    """Safe HTML: the passage of TEXT around the first of WORDS found in it, each one marked."""
    text = text or ""
    starts = [text.find(word) for word in words if word in text]
    if not starts:
        return ""
    start = max(min(starts) - CHINESE_CONTEXT, 0)
    end = min(min(starts) + CHINESE_CONTEXT * 2, len(text))
    pattern = "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))
    # escape() leaves Chinese characters as they are: mark them in the escaped passage.
    html = re.sub(pattern, lambda m: f"<mark>{m.group()}</mark>", escape(text[start:end]))
    ellipsis_before = "… " if start > 0 else ""
    ellipsis_after = " …" if end < len(text) else ""
    return mark_safe(f"{ellipsis_before}{html}{ellipsis_after}")  # noqa: S308 - escaped above
