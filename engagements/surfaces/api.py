"""The read-only research API under /api/v1/ (Django REST framework, OpenAPI by drf-spectacular).

Encounters (list and detail), people, places and topics. Only published encounters are ever
served, and people, places and topics only as far as published encounters show them. The
encounter list takes the public list's filters through the same FilterSet
(engagements/domain/filters.py) and answers bad parameters with 400 and {field: [messages]}.
"""

import functools
import re

from django import forms
from django.conf import settings
from django.db.models import Count, Prefetch
from django.urls import include, path, re_path
from django.utils.http import urlencode
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.reverse import reverse

from engagements.domain.counts import published_total
from engagements.domain.facets import counts_kept
from engagements.domain.filters import BACKWARDS_RANGE, MAX_VALUES, SORT_CHOICES, EncounterFilterSet
from engagements.domain.models import published
from engagements.infrastructure.derived import DerivedCache
from engagements.models import (
    Discrepancy,
    Encounter,
    Participation,
    Person,
    Place,
    Quote,
    Source,
    Topic,
)
from engagements.surfaces import api_json
from engagements.surfaces.api_json import templated_url
from engagements.surfaces.pagination import ListPaginator

# gunicorn's limit on the request line (method, path and query string), gunicorn.conf.py: a
# longer URL is answered 414 before the request reaches Django.
MAX_REQUEST_LINE = 4094

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# What the schema says of the encounter list's parameters beyond what drf-spectacular reads from
# the shared FilterSet. Declared on the operation (extend_schema replaces the generated
# parameter of the same name), so the FilterSet itself is never changed for the API's sake.
ENCOUNTER_LIST_PARAMETERS = [
    OpenApiParameter(
        "person",
        {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}},
        explode=True,
        description="A person's slug, as in /people/<slug>/. Repeat: encounters where all took "
        "part. An unknown slug is a 404.",
    ),
    OpenApiParameter(
        "topic",
        {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}},
        explode=True,
        description="A topic's slug, as in /topics/<slug>/. Repeat: encounters tagged with all. "
        "An unknown slug is a 404.",
    ),
    OpenApiParameter(
        "country",
        {"type": "string", "pattern": r"^[A-Za-z]{2}$"},
        description="ISO 3166-1 alpha-2 code of the place, e.g. CN (either case).",
    ),
    OpenApiParameter(
        "q",
        # No NUL (%00): no parameter accepts one (a 400 that names it, limits.py).
        {"type": "string", "maxLength": 200, "pattern": r"^[^\x00]*$"},
        description='Full text, web-search syntax: words, "a phrase", -word to leave out. '
        "No NUL character.",
    ),
    OpenApiParameter(
        "date_after",
        OpenApiTypes.DATE,
        description="YYYY-MM-DD: encounters on or after this day (their last day counts).",
    ),
    OpenApiParameter(
        "date_before",
        OpenApiTypes.DATE,
        description="YYYY-MM-DD: encounters on or before this day (their first day counts). "
        "A range that ends before it starts matches nothing.",
    ),
    OpenApiParameter(
        "sort",
        {"type": "string", "enum": [value for value, _label in SORT_CHOICES]},
        description="Newest first (-date), oldest first (date) or relevance (with q). "
        "Default: relevance with q, else -date.",
    ),
]


class Pagination(PageNumberPagination):
    """?page=N&page_size=M; `next` and `previous` are full URLs that keep every filter.

    The order of every list is total (it ends with the primary key), so a page's links always
    lead to the same rows while the data does not change. A page past the end, or not a number,
    is a 404 as on the HTML list; a page_size out of range is a 400.
    """

    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if values in ([], [""]):  # empty is the same as absent, as for every single value
            return self.page_size
        message = f"Enter one whole number from 1 to {self.max_page_size}."
        # Only ASCII digits: "²".isdigit() is true, but int() refuses it.
        if len(values) > 1 or not re.fullmatch(r"[0-9]+", values[0]):
            raise ValidationError({self.page_size_query_param: [message]})
        size = int(values[0])
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def get_page_number(self, request, paginator):
        if len(request.query_params.getlist(self.page_query_param)) > 1:
            raise NotFound(self.invalid_page_message.format(page_number="", message="twice"))
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = (
                    f"Results per page (default {self.page_size}, at most {self.max_page_size})."
                )
        return parameters


class EncounterPagination(Pagination):
    """The encounter list's total is shared with the HTML list for the same filters."""

    def paginate_queryset(self, queryset, request, view=None):
        def count():
            # Unfiltered, the total is kept by the database (domain/counts.py): no count of
            # every published row on each uncached first page. "Unfiltered" is decided as the
            # HTML list decides it (facets.counts_kept), from the request's cleaned filters.
            filterset = getattr(view, "filterset", None)
            unfiltered = filterset is not None and counts_kept(filterset)
            return published_total() if unfiltered else queryset.count()

        count = DerivedCache("published", request.query_params).get("count", count)
        self.django_paginator_class = functools.partial(ListPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


MULTIPLE_VALUE_FIELDS = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


class StrictFilterBackend(DjangoFilterBackend):
    """The shared FilterSet, answering as the schema says.

    - A single-valued parameter given twice is a 400, not a guess.
    - A well-formed slug of a person or topic that does not exist is a 404, as its own URL
      would be: the schema can say what a slug looks like, not which ones exist.
    - A date range that ends before it starts matches nothing (200, empty), since the schema
      cannot say that one date must not be after the other. The HTML list explains it instead.
    - Anything else invalid is a 400 with {parameter: [messages]}.
    """

    RECORD_FILTERS = ("person", "topic")

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        # What the pagination needs to know of the filters (whether any is active); a view
        # whose base is every published encounter says so, as filter_encounters() does.
        filterset.whole_record = getattr(view, "filters_whole_record", False)
        view.filterset = filterset
        repeated = {
            name: ["Give this parameter once."]
            for name, field in filterset.filters.items()
            if not issubclass(field.field_class, MULTIPLE_VALUE_FIELDS)
            and len(request.query_params.getlist(name)) > 1
        }
        if repeated:
            raise ValidationError(repeated)
        if filterset.is_valid():
            return filterset.qs
        errors = filterset.form.errors.as_data()
        codes = {name: {error.code for error in found} for name, found in errors.items()}
        # A backwards range is no error of the request (it matches nothing), so it neither
        # makes an unknown slug's 404 a 400 nor stands alone as one.
        backwards = codes.get("date_before") == {BACKWARDS_RANGE}
        others = {name for name in codes if not (backwards and name == "date_before")}
        unknown = [name for name in self.RECORD_FILTERS if codes.get(name) == {"invalid_choice"}]
        if unknown and others == set(unknown):
            raise NotFound(f"No such {' or '.join(unknown)}: see /api/v1/{unknown[0]}s/.")
        if not others:
            return queryset.none()
        raise translate_validation(filterset.errors)


ERRORS = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A parameter is invalid: each offending parameter with its messages, e.g. "
    '{"date_after": ["Enter a date as YYYY-MM-DD, e.g. 2021-09-09."]}.',
)
NOT_FOUND = OpenApiResponse(
    inline_serializer("NotFound", {"detail": serializers.CharField()}),
    description="No such published record, or a page past the end.",
)


class TemplatedURLField(serializers.Field):
    """The absolute URL of an object's page (`view_name`), by its slug or id."""

    def __init__(self, view_name, lookup_field="slug", **kwargs):
        self.view_name, self.lookup_field = view_name, lookup_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        value = getattr(obj, self.lookup_field)
        lookup = "pk" if self.lookup_field in ("pk", "id") else self.lookup_field
        return templated_url(self.context, self.view_name, lookup, value)


def PageAwareURLField(view_name):  # noqa: N802 - a field, named like one
    """The absolute URL of the object's public web page."""
    return TemplatedURLField(view_name)


def APIURLField(view_name, lookup_field="slug"):  # noqa: N802
    """The absolute URL of the object in this API (as HyperlinkedIdentityField gives it)."""
    return TemplatedURLField(view_name, lookup_field)


extend_schema_field(OpenApiTypes.URI)(TemplatedURLField)


# -- people, places, topics ----------------------------------------------------------------


class PersonSummarySerializer(serializers.ModelSerializer):
    url = APIURLField("api-person-detail")
    html_url = PageAwareURLField("person-detail")

    class Meta:
        model = Person
        fields = ["slug", "name", "name_zh", "side", "url", "html_url"]


class PersonSerializer(PersonSummarySerializer):
    encounter_count = serializers.IntegerField(
        read_only=True, help_text="Published encounters this person took part in."
    )
    encounters_url = serializers.SerializerMethodField(
        help_text="The encounter list filtered to this person."
    )

    class Meta(PersonSummarySerializer.Meta):
        fields = [*PersonSummarySerializer.Meta.fields, "encounter_count", "encounters_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_encounters_url(self, person):
        return filtered_list_url(self.context["request"], person=person.slug)


class PlaceSerializer(serializers.ModelSerializer):
    url = APIURLField("api-place-detail", lookup_field="pk")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True, read_only=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True, read_only=True
    )

    class Meta:
        model = Place
        fields = ["id", "name", "city", "country", "latitude", "longitude", "url"]


class PlaceWithCountSerializer(PlaceSerializer):
    encounter_count = serializers.IntegerField(read_only=True)

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "encounter_count"]


class TopicSummarySerializer(serializers.ModelSerializer):
    url = APIURLField("api-topic-detail")
    html_url = PageAwareURLField("topic-detail")

    class Meta:
        model = Topic
        fields = ["slug", "name", "url", "html_url"]


class TopicSerializer(TopicSummarySerializer):
    encounter_count = serializers.IntegerField(read_only=True)
    encounters_url = serializers.SerializerMethodField()

    class Meta(TopicSummarySerializer.Meta):
        fields = [
            *TopicSummarySerializer.Meta.fields,
            "description",
            "encounter_count",
            "encounters_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_encounters_url(self, topic):
        return filtered_list_url(self.context["request"], topic=topic.slug)


def filtered_list_url(request, **params):
    return f"{reverse('api-encounter-list', request=request)}?{urlencode(params)}"


# -- encounters ----------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer()

    class Meta:
        model = Participation
        fields = ["person", "side", "role", "office", "start_date", "end_date"]


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", "nullable": True}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time at the place, HH:MM:SS, without a UTC offset.

    OpenAPI's `format: time` is RFC 3339's full-time, which requires an offset; a local start
    time has none (the place says which zone), so the schema gives its pattern instead.
    """


class SourceSerializer(serializers.ModelSerializer):
    """A source; an official readout also carries its record: issuer, language, the text as
    published (or its opening: text_is_excerpt), the date and time it gives, and the faithful
    copy it was read from. The other sources leave these empty."""

    # A plain string: an enum here would collide in the schema with the participants' "side".
    side = serializers.CharField(
        read_only=True,
        help_text="Whose official readout this is: “us”, “prc”, or empty for other sources.",
    )
    issued_time = LocalTimeField(
        read_only=True,
        allow_null=True,
        help_text="The clock time the readout gives for itself, HH:MM:SS in issued_time_zone; "
        "null if it gives none.",
    )

    class Meta:
        model = Source
        fields = [
            "kind",
            "outlet",
            "title",
            "title_is_description",
            "url",
            "published_on",
            "external_id",
            "note",
            "side",
            "issuer",
            "language",
            "text",
            "text_is_excerpt",
            "issued_on",
            "issued_time",
            "issued_time_zone",
            "copy_outlet",
            "copy_url",
        ]


class SourceReferenceSerializer(serializers.ModelSerializer):
    """Which of the encounter's sources a discrepancy names."""

    class Meta:
        model = Source
        fields = ["kind", "outlet", "title", "url", "external_id"]


class DiscrepancySerializer(serializers.ModelSerializer):
    source = SourceReferenceSerializer(help_text="The source that gives the differing value.")
    our_source = SourceReferenceSerializer(
        allow_null=True, help_text="The source for the tracker's value, where it is one of ours."
    )

    class Meta:
        model = Discrepancy
        fields = ["field", "our_value", "their_value", "source", "our_source", "note"]


class QuoteSerializer(serializers.ModelSerializer):
    speaker = PersonSummarySerializer(allow_null=True)
    source_url = serializers.SerializerMethodField(help_text="URL of the reporting source.")

    class Meta:
        model = Quote
        fields = ["text", "language", "speaker", "speaker_description", "context", "source_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_source_url(self, quote) -> str | None:
        return quote.source.url if quote.source_id and quote.source.url else None


class EncounterSummarySerializer(serializers.ModelSerializer):
    """What the list shows of an encounter."""

    url = APIURLField("api-encounter-detail")
    html_url = PageAwareURLField("encounter-detail")
    place = PlaceSerializer(allow_null=True)
    principals = ParticipantSerializer(source="principal_participations", many=True)
    topics = TopicSummarySerializer(many=True)

    class Meta:
        model = Encounter
        fields = [
            "slug",
            "url",
            "html_url",
            "title",
            "kind",
            "venue",
            "level",
            "start_date",
            "end_date",
            "date_precision",
            "beijing_date",
            "occurrence",
            "place",
            "principals",
            "topics",
            "provenance",
            "published_at",
            "updated_at",
        ]

    def to_representation(self, encounter):
        # The fields above are the schema; the JSON is written by plain functions (fast).
        return api_json.encounter_summary(encounter, self.context)


CitationLinks = inline_serializer(
    "CitationLinks",
    {
        "bibtex": serializers.URLField(),
        "ris": serializers.URLField(),
        "csl_json": serializers.URLField(),
    },
)


class EncounterSerializer(EncounterSummarySerializer):
    """Everything about one encounter."""

    local_start_time = LocalTimeField(
        read_only=True,
        allow_null=True,
        help_text="Local start time where the encounter took place (for a call, Washington "
        "time), HH:MM:SS; null if not reported.",
    )

    participants = ParticipantSerializer(source="participations", many=True)
    sources = SourceSerializer(many=True)
    quotes = QuoteSerializer(many=True)
    discrepancies = DiscrepancySerializer(
        many=True, help_text="Where a source disagrees with the record: both values, both sources."
    )
    cameo_code = serializers.CharField(read_only=True, help_text="CAMEO event code (04x).")
    parent = serializers.HyperlinkedRelatedField(
        view_name="api-encounter-detail",
        lookup_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The trip or summit this encounter is part of.",
    )
    citations = serializers.SerializerMethodField()

    class Meta(EncounterSummarySerializer.Meta):
        fields = [
            *(f for f in EncounterSummarySerializer.Meta.fields if f != "principals"),
            "local_start_time",
            "duration_minutes",
            "initiated_by",
            "tone",
            "tone_note",
            "cameo_code",
            "summary",
            "outcomes",
            "parent",
            "participants",
            "sources",
            "quotes",
            "discrepancies",
            "citations",
        ]

    @extend_schema_field(CitationLinks)
    def get_citations(self, encounter):
        request = self.context["request"]
        return {
            key: request.build_absolute_uri(
                reverse("encounter-cite", args=[encounter.slug, extension])
            )
            for key, extension in (("bibtex", "bib"), ("ris", "ris"), ("csl_json", "json"))
        }

    def to_representation(self, encounter):
        # The fields above are the schema; the JSON is written by plain functions (fast).
        return api_json.encounter_detail(encounter, self.context, self.get_citations(encounter))


def document_uri_too_long(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation may answer 414.

    gunicorn refuses a request line longer than MAX_REQUEST_LINE bytes before Django sees it
    (many repeated filters can make one), so each operation documents that answer.
    """
    response = {
        "description": f"The URL is too long: the request line (method, path and query "
        f"string) may have at most {MAX_REQUEST_LINE} bytes."
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {})["414"] = response
    return result


def document_empty_values(result, generator, request, public):
    """drf-spectacular post-processing hook: say that an empty single value means "any".

    As on the HTML form, `?date_after=&q=` is the same as leaving both out; OpenAPI says so with
    allowEmptyValue. (Repeatable parameters take no empty value: `?topic=` is a 400.) Also
    says how many values a repeatable parameter takes at most (maxItems; more is a 400).
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                if parameter["schema"].get("type") != "array":
                    parameter["allowEmptyValue"] = True
                else:
                    parameter["schema"]["maxItems"] = MAX_VALUES
    return result


# -- views ---------------------------------------------------------------------------------


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination


@extend_schema_view(
    list=extend_schema(
        summary="Published encounters, filtered and sorted like the public list",
        parameters=ENCOUNTER_LIST_PARAMETERS,
        responses={200: EncounterSummarySerializer(many=True), 400: ERRORS, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One published encounter with participants, place, topics, sources, quotes",
        responses={200: EncounterSerializer, 404: NOT_FOUND},
    ),
)
class EncounterViewSet(ReadOnlyViewSet):
    lookup_field = "slug"
    pagination_class = EncounterPagination
    filter_backends = [StrictFilterBackend]
    filterset_class = EncounterFilterSet
    # The list filters every published encounter: unfiltered, its total is the kept one.
    filters_whole_record = True

    def get_queryset(self):
        published = Encounter.objects.published()
        if self.action == "retrieve":
            return published.with_record_data()
        # Only the columns a row shows: not the search document and vector, the summary and
        # outcomes that make an encounter's row wide (a page of 50 read and parsed them all),
        # nor the principals' aliases and the topics' descriptions.
        principals = Participation.objects.leads().select_related("person")
        return (
            published.select_related("place")
            .only(*api_json.SUMMARY_FIELDS)
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=principals.only(*api_json.PARTICIPANT_FIELDS),
                    to_attr="principal_participations",
                ),
                Prefetch("topics", queryset=Topic.objects.only("slug", "name")),
            )
        )

    def get_serializer_class(self):
        return EncounterSerializer if self.action == "retrieve" else EncounterSummarySerializer

    def filter_queryset(self, queryset):
        # The list's filters narrow the list; a record's own URL answers whatever the query.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(
        summary="People who took part in published encounters",
        responses={200: PersonSerializer(many=True), 400: ERRORS, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(responses={200: PersonSerializer, 404: NOT_FOUND}),
)
class PersonViewSet(ReadOnlyViewSet):
    serializer_class = PersonSerializer
    lookup_field = "slug"
    filter_backends = [StrictFilterBackend]
    filterset_fields = ["side"]

    def get_queryset(self):
        return Person.objects.with_published_counts().order_by("name", "id")


@extend_schema_view(
    list=extend_schema(
        summary="Places of published encounters",
        responses={200: PlaceWithCountSerializer(many=True), 400: ERRORS, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(responses={200: PlaceWithCountSerializer, 404: NOT_FOUND}),
)
class PlaceViewSet(ReadOnlyViewSet):
    serializer_class = PlaceWithCountSerializer
    filter_backends = [StrictFilterBackend]
    filterset_fields = ["country"]

    def get_queryset(self):
        return (
            Place.objects.annotate(
                encounter_count=Count("encounters", filter=published("encounters__"))
            )
            .filter(encounter_count__gt=0)
            .order_by("country", "city", "name", "id")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Topics, with their number of published encounters",
        responses={200: TopicSerializer(many=True), 400: ERRORS, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(responses={200: TopicSerializer, 404: NOT_FOUND}),
)
class TopicViewSet(ReadOnlyViewSet):
    serializer_class = TopicSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Topic.objects.shown_publicly().with_published_counts().order_by("name", "id")


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar wheel's files; its start-up script is a separate file (CSP)."""

    template_name = "api/swagger_ui.html"
    title = "US–China Engagement Tracker API"


class Router(routers.DefaultRouter):
    include_format_suffixes = False  # one representation, JSON: no .json/.api URL variants


router = Router()
router.register("encounters", EncounterViewSet, basename="api-encounter")
router.register("people", PersonViewSet, basename="api-person")
router.register("places", PlaceViewSet, basename="api-place")
router.register("topics", TopicViewSet, basename="api-topic")


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS"])
def not_found(request, path):
    """Any other /api/…/ URL: a JSON 404, not the site's HTML page."""
    raise NotFound()


urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: only what nothing above matched, and only with a trailing slash, so that Django's
    # APPEND_SLASH still redirects /api/v1/encounters to /api/v1/encounters/.
    re_path(r"^api/(?P<path>[\s\S]*/)$", not_found),
]
