import functools

from django.conf import settings
from django.db.models import Count, Max, Min
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView, TemplateView

from engagements.domain import coverage, record_index
from engagements.domain.facets import active_chips, facets, result_count
from engagements.domain.filters import (
    ADD_BY_NAME,
    ENCOUNTER_PAGE_PARAMETERS,
    SUGGEST_BELOW,
    PersonFilterSet,
    add_headlines,
    filter_encounters,
    find_by_name,
    spelling_suggestion,
)
from engagements.domain.models import current_slug, published
from engagements.domain.timeline import LANES_BY, KeptMonths, build_timeline
from engagements.infrastructure.derived import DerivedCache
from engagements.models import (
    Encounter,
    MonthCount,
    Participation,
    Person,
    RemovedEncounter,
    Side,
    Source,
    Topic,
)
from engagements.surfaces.pagination import ListPaginator


class PublishedEncountersMixin:
    """Shared by every page that lists encounters: only published ones, with their row data."""

    # The query parameters the page reads; others redirect away (UnknownParametersMiddleware).
    query_parameters = frozenset(["page"])

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE  # read per request, so tests and settings can change it

    def encounters(self):
        return Encounter.objects.published().with_list_data()


class FilteredEncountersMixin(PublishedEncountersMixin):
    """A list page that takes the URL contract's filters (engagements/domain/filters.py).

    Invalid filters answer 400 with the form and each error next to its field; the page then
    lists nothing rather than guessing what was meant.
    """

    def base_queryset(self):
        """The encounters this page starts from, before the researcher's filters."""
        return None

    name_lookup = None
    query_parameters = ENCOUNTER_PAGE_PARAMETERS

    def get(self, request, *args, **kwargs):
        added = self.add_by_name(request)
        if added is not None:
            return added
        base = self.base_queryset()
        self.filterset, self.filtered = filter_encounters(request.GET, base)
        # Counts shared by every page of published encounters with the same filters.
        self.derived = DerivedCache("published" if base is None else request.path, request.GET)
        # The record index (domain/record_index.py) is used only at the version read here.
        self.filterset.read_data_version = lambda: self.derived.version
        self.object_list = self.filtered.with_list_data()
        context = self.get_context_data(**kwargs)
        status = 200 if self.filterset.is_valid() else 400
        return self.render_to_response(context, status=status)

    def add_by_name(self, request):
        """A name typed into a facet's "add" box: the same page with that person's or topic's
        slug added when one matches, else None and the page lists the matches to choose from."""
        for box, param in ADD_BY_NAME.items():
            text = request.GET.get(box, "").strip()
            if not text:
                continue
            found = find_by_name(param, text)
            params = request.GET.copy()
            params.pop("page", None)
            for name in ADD_BY_NAME:
                params.pop(name, None)
            if len(found) == 1:
                if found[0][0] not in params.getlist(param):
                    params.appendlist(param, found[0][0])
                return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
            self.name_lookup = {
                "param": param,
                "text": text,
                "choices": [
                    (label, f"{request.path}?{with_value(params, param, slug)}")
                    for slug, label in found
                ],
            }
        return None

    paginator_class = ListPaginator

    def get_paginator(self, queryset, *args, **kwargs):
        if self.filterset.is_valid():
            ranked_ids = functools.cache(lambda: record_index.ranked_ids(self.filterset, queryset))

            def count():
                if ListPaginator.is_ranked(queryset):
                    ranked_ids()  # one read of the matches for the page and the counts
                return result_count(self.filterset, queryset)

            kwargs["count"] = self.derived.get("count", count)
            kwargs["ranked_ids"] = ranked_ids
        return super().get_paginator(queryset, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        if filterset.is_valid():
            groups = self.derived.get("facets", lambda: facets(filterset))
        else:
            groups = facets(filterset)
        context.update(
            filterset=filterset,
            form=filterset.form,
            facets=groups,
            chips=active_chips(filterset, groups),
            sort=filterset.sort_order if filterset.is_valid() else None,
            name_lookup=self.name_lookup,
        )
        return context


def with_value(params, name, value):
    params = params.copy()
    if value not in params.getlist(name):
        params.appendlist(name, value)
    return params.urlencode()


class HomeView(PublishedEncountersMixin, TemplateView):
    template_name = "engagements/home.html"
    query_parameters = frozenset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = self.encounters().newest_first()[:8]
        context["encounter_count"] = Encounter.objects.published().count()
        return context


class EncounterListView(FilteredEncountersMixin, ListView):
    template_name = "engagements/encounter_list.html"
    context_object_name = "encounters"
    extra_context = {"sortable": True}

    def get_context_data(self, **kwargs):
        # `view=table`: the same rows as a compact table. A way of showing, not a filter.
        context = super().get_context_data(
            table_view=self.request.GET.get("view") == "table", **kwargs
        )
        if self.filterset.is_valid() and self.filterset.search_text:
            # Highlighted passages for the rows on this page only.
            context["encounters"] = add_headlines(context["encounters"], self.filterset.search_text)
            if context["paginator"].count < SUGGEST_BELOW:
                context["suggestion"] = self.suggestion(self.filterset.search_text)
        return context

    def suggestion(self, text):
        """{"text", "url"}: the same search with misspelt names corrected, or None."""
        corrected = self.derived.get("suggestion", lambda: spelling_suggestion(text))
        if not corrected:
            return None
        params = self.request.GET.copy()
        params["q"] = corrected
        params.pop("page", None)
        return {"text": corrected, "url": f"{self.request.path}?{params.urlencode()}"}


class TimelineView(FilteredEncountersMixin, TemplateView):
    """The list's encounters on a time axis (domain/timeline.py draws nothing itself)."""

    template_name = "engagements/timeline.html"

    def get(self, request, *args, **kwargs):
        # `lanes` (level or kind) chooses the drawing, not the encounters: it is not a filter.
        self.lanes_by = request.GET.get("lanes") or "level"
        if self.lanes_by not in LANES_BY:
            self.lanes_by = "level"
            response = super().get(request, *args, lanes_error=True, **kwargs)
            response.status_code = 400
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(lanes_by=self.lanes_by, **kwargs)
        if self.filterset.is_valid() and not kwargs.get("lanes_error"):
            context["timeline"] = self.derived.get(
                f"timeline-{self.lanes_by}",
                lambda: build_timeline(
                    self.filtered,
                    self.request.GET,
                    self.lanes_by,
                    kept=(
                        KeptMonths.of_filters(self.filterset)
                        or record_index.months_of(self.filterset, self.filtered)
                    ),
                ),
            )
        return context


class EncounterDetailView(DetailView):
    """Everything known about one encounter.

    A draft preview can subclass this and override get_queryset(): the context below
    is computed from the object alone.
    """

    query_parameters = frozenset()

    template_name = "engagements/encounter_detail.html"
    context_object_name = "encounter"

    def get_queryset(self):
        return Encounter.objects.published().with_detail_data()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A slug the encounter had before: cited permalinks keep working.
            slug = current_slug(kwargs["slug"])
            if slug is not None:
                return HttpResponsePermanentRedirect(reverse("encounter-detail", args=[slug]))
            removed = RemovedEncounter.objects.filter(slug=kwargs["slug"]).first()
            if removed is None:
                raise
            # A cited permalink of a deleted published encounter: 410 Gone, saying why.
            return render(
                request, "engagements/encounter_gone.html", {"removed": removed}, status=410
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        encounter = self.object
        published = Encounter.objects.published()
        # Counted only for the levels and kinds a period's record holds (domain/coverage.py);
        # an upper bound unless the lane was cross-checked.
        gap_basis, previous_at_level = coverage.previous_counted(published, encounter)
        readouts = official_readouts(encounter.sources.all())
        context.update(
            sides=participants_by_side(encounter.participations.all()),
            readouts=readouts,
            source_groups=sources_by_kind(
                encounter.sources.all(), leave_out=READOUT_KINDS if readouts else ()
            ),
            **neighbours(published, encounter),
            gap_basis=gap_basis,
            previous_at_level=previous_at_level,
            days_since_previous_at_level=(
                (encounter.start_date - previous_at_level.end_date).days
                if previous_at_level
                else None
            ),
            permalink=self.request.build_absolute_uri(encounter.get_absolute_url()),
        )
        return context


def neighbours(published, encounter):
    """{"previous": …, "next": …}: the published encounters just before and after `encounter`
    in time, asked in one query (a UNION ALL of the two index walks) instead of two."""
    found = published.before(encounter)[:1].union(published.after(encounter)[:1], all=True)
    key = (encounter.start_date, encounter.id)
    sides = {"previous": None, "next": None}
    for other in found:
        sides["previous" if (other.start_date, other.id) < key else "next"] = other
    return sides


def participants_by_side(participations):
    """[(side label, [participations])] with the US first, then the PRC, then others."""
    order = [Side.US, Side.PRC, Side.OTHER]
    groups = {side: [] for side in order}
    for participation in participations:
        groups[participation.side].append(participation)
    return [(Side(side).label, groups[side]) for side in order if groups[side]]


READOUT_KINDS = (Source.Kind.US_READOUT, Source.Kind.PRC_READOUT)


def official_readouts(sources):
    """The US and PRC official readouts, as a pair to show side by side, when both exist."""
    us = [s for s in sources if s.kind == Source.Kind.US_READOUT]
    prc = [s for s in sources if s.kind == Source.Kind.PRC_READOUT]
    return (us, prc) if us and prc else None


def sources_by_kind(sources, leave_out=()):
    """[(kind label, [sources])] in the order of Source.Kind, without the kinds `leave_out`."""
    groups = {}
    for source in sources:
        groups.setdefault(source.kind, []).append(source)
    return [
        (label, groups[kind])
        for kind, label in Source.Kind.choices
        if kind in groups and kind not in leave_out
    ]


class EncounterPreviewView(EncounterDetailView):
    """Staff only: any encounter, whatever its status, on the public detail layout.

    Reuses the public view and template (with a banner), so it shows exactly what publishing
    would. Everyone else gets a 404, as if the draft did not exist.
    """

    template_name = "engagements/encounter_preview.html"

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            raise Http404("No encounter found.")
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_queryset(self):
        # The public view's query without its published() filter.
        return Encounter.objects.with_detail_data()

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=True, **kwargs)


class PersonListView(ListView):
    """Everyone with a published encounter, searchable by name and filtered by side."""

    template_name = "engagements/person_list.html"
    context_object_name = "people"
    paginate_by = 100
    query_parameters = frozenset([*PersonFilterSet.base_filters, "page"])

    paginator_class = ListPaginator

    def get(self, request, *args, **kwargs):
        self.filterset = PersonFilterSet(request.GET, queryset=self.people())
        valid = self.filterset.is_valid()
        self.object_list = self.filterset.qs if valid else Person.objects.none()
        context = self.get_context_data(filterset=self.filterset, form=self.filterset.form)
        return self.render_to_response(context, status=200 if valid else 400)

    def get_paginator(self, queryset, *args, **kwargs):
        if self.filterset.is_valid():
            kwargs["count"] = DerivedCache("people", self.request.GET).get("count", self.count)
        return super().get_paginator(queryset, *args, **kwargs)

    def count(self):
        """How many people the filters find, from the kept counts (domain/counts.py)."""
        people = Person.objects.filter(published_count__encounters__gt=0)
        return PersonFilterSet(self.request.GET, queryset=people).qs.count()

    def people(self):
        # Counts and first and last dates are kept by the database: no aggregate here.
        return Person.objects.with_published_counts().by_family_name()


class KeptCountMixin:
    """The encounters of one person or topic, paged: their number is kept by the database
    (PersonPublishedCount, TopicPublishedCount in domain/counts.py), so the pager counts none."""

    paginator_class = ListPaginator

    def get_paginator(self, queryset, *args, **kwargs):
        kwargs["count"] = self.counted.published_count.encounters
        return super().get_paginator(queryset, *args, **kwargs)


class PersonDetailView(KeptCountMixin, PublishedEncountersMixin, ListView):
    """A person's offices over time, their encounters in order and the counterparts met most."""

    template_name = "engagements/person_detail.html"
    context_object_name = "encounters"

    def get_queryset(self):
        # Someone known only from drafts is not public: 404, as for a slug never used.
        people = Person.objects.shown_publicly().select_related("published_count")
        self.person = self.counted = get_object_or_404(people, slug=self.kwargs["slug"])
        return self.encounters().involving(self.person).chronological_few()

    def get_context_data(self, **kwargs):
        person = self.person
        theirs = Encounter.objects.published().involving(person)
        params = query_dict(person=person.slug)
        return super().get_context_data(
            person=person,
            offices=offices_held(person),
            counterparts=counterparts_met_most(person),
            timeline=DerivedCache(self.request.path, None).get(
                "timeline",
                lambda: build_timeline(
                    theirs, params, kept=KeptMonths(MonthCount.Scope.PERSON, person.pk)
                ),
            ),
            list_query=f"?{params.urlencode()}",
            **kwargs,
        )


def query_dict(**params):
    """A query string of the list's parameters, e.g. query_dict(person="wang-yi")."""
    query = QueryDict(mutable=True)
    query.update(params)
    return query


def offices_held(person):
    """[{office, first, last, count}] from the offices recorded on published encounters."""
    return (
        Participation.objects.filter(published("encounter__"), person=person)
        .exclude(office="")
        .values("office")
        .annotate(
            first=Min("encounter__start_date"),
            last=Max("encounter__end_date"),
            count=Count("encounter"),
        )
        .order_by("first", "office")
    )


COUNTERPARTS_SHOWN = 10


def counterparts_met_most(person):
    """People on the other side(s) of this person's published encounters, most met first.

    Joined through this person's own participations (one index probe per encounter), not
    matched against every published encounter (a hash of 90,000 ids at 100,000).
    """
    return (
        Participation.objects.filter(
            published("encounter__"), encounter__participations__person=person
        )
        .exclude(person=person)
        .exclude(side=person.side)
        .values("person__slug", "person__name", "person__name_zh", "side")
        .annotate(
            # One row per encounter and counterpart (one participation per person and
            # encounter): a plain count, without DISTINCT's sort.
            count=Count("encounter"),
            first=Min("encounter__start_date"),
            last=Max("encounter__start_date"),
        )
        .order_by("-count", "-last", "person__name")[:COUNTERPARTS_SHOWN]
    )


class TopicListView(ListView):
    template_name = "engagements/topic_list.html"
    context_object_name = "topics"
    query_parameters = frozenset()

    def get_queryset(self):
        return Topic.objects.shown_publicly().with_published_counts().order_by("name")


class TopicDetailView(KeptCountMixin, PublishedEncountersMixin, ListView):
    """A topic's encounters over time: on the timeline, then listed in order."""

    template_name = "engagements/topic_detail.html"
    context_object_name = "encounters"

    def get_queryset(self):
        topics = Topic.objects.shown_publicly().select_related("published_count")
        self.topic = self.counted = get_object_or_404(topics, slug=self.kwargs["slug"])
        return self.encounters().filter(topics=self.topic).chronological()

    def get_context_data(self, **kwargs):
        topic = self.topic
        params = query_dict(topic=topic.slug)
        return super().get_context_data(
            topic=topic,
            timeline=DerivedCache(self.request.path, None).get(
                "timeline",
                lambda: build_timeline(
                    Encounter.objects.published().filter(topics=topic),
                    params,
                    kept=KeptMonths(MonthCount.Scope.TOPIC, topic.pk),
                ),
            ),
            list_query=f"?{params.urlencode()}",
            **kwargs,
        )


class CoverageView(TemplateView):
    """/coverage/: what the record is drawn from and how complete it is, per period and level."""

    template_name = "engagements/coverage.html"
    query_parameters = frozenset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Encounter.objects.published().held()
        context.update(
            statements=coverage.statements_with_counts(published),
            bases=coverage.BASES,
            readouts=coverage.readout_coverage(published),
            cross_checks=coverage.CROSS_CHECKS,
        )
        return context
