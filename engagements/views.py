from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from engagements.facets import active_chips, facets
from engagements.filters import add_headlines, filter_encounters
from engagements.models import Encounter, Person, Topic


class PublishedEncountersMixin:
    """Shared by every page that lists encounters: only published ones, with their row data."""

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE  # read per request, so tests and settings can change it

    def encounters(self):
        return Encounter.objects.published().with_list_data()


class FilteredEncountersMixin(PublishedEncountersMixin):
    """A list page that takes the URL contract's filters (engagements/filters.py).

    Invalid filters answer 400 with the form and each error next to its field; the page then
    lists nothing rather than guessing what was meant.
    """

    def base_queryset(self):
        """The encounters this page starts from, before the researcher's filters."""
        return None

    def get(self, request, *args, **kwargs):
        self.filterset, queryset = filter_encounters(request.GET, self.base_queryset())
        self.object_list = queryset.with_list_data()
        context = self.get_context_data()
        status = 200 if self.filterset.is_valid() else 400
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        groups = facets(filterset)
        context.update(
            filterset=filterset,
            form=filterset.form,
            facets=groups,
            chips=active_chips(filterset, groups),
            sort=filterset.sort_order if filterset.is_valid() else None,
        )
        if filterset.is_valid() and filterset.search_text:
            name = self.get_context_object_name(self.object_list) or "object_list"
            context[name] = add_headlines(context[name], filterset.search_text)
        return context


class HomeView(PublishedEncountersMixin, TemplateView):
    template_name = "engagements/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = self.encounters().newest_first()[:8]
        context["encounter_count"] = Encounter.objects.published().count()
        return context


class EncounterListView(FilteredEncountersMixin, ListView):
    template_name = "engagements/encounter_list.html"
    context_object_name = "encounters"


class EncounterDetailView(DetailView):
    template_name = "engagements/encounter_detail.html"
    context_object_name = "encounter"

    def get_queryset(self):
        return Encounter.objects.published().with_detail_data()


class PersonListView(ListView):
    template_name = "engagements/person_list.html"
    context_object_name = "people"
    paginate_by = 100

    def get_queryset(self):
        published = Q(participations__encounter__status=Encounter.Status.PUBLISHED)
        return (
            Person.objects.annotate(encounter_count=Count("participations", filter=published))
            .filter(encounter_count__gt=0)
            .order_by("name")
        )


class PersonDetailView(PublishedEncountersMixin, ListView):
    template_name = "engagements/person_detail.html"
    context_object_name = "encounters"

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return self.encounters().involving(self.person).chronological_few()

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)


class TopicDetailView(PublishedEncountersMixin, ListView):
    template_name = "engagements/topic_detail.html"
    context_object_name = "encounters"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return self.encounters().filter(topics=self.topic).chronological()

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)
