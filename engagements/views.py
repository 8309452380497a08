from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from engagements.models import Encounter, Person, Topic


class PublishedEncountersMixin:
    """Shared by every page that lists encounters: only published ones, with their row data."""

    paginate_by = settings.PAGE_SIZE

    def encounters(self):
        return Encounter.objects.published().with_list_data()


class HomeView(PublishedEncountersMixin, TemplateView):
    template_name = "engagements/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = self.encounters().newest_first()[:8]
        context["encounter_count"] = Encounter.objects.published().count()
        return context


class EncounterListView(PublishedEncountersMixin, ListView):
    template_name = "engagements/encounter_list.html"
    context_object_name = "encounters"

    def get_queryset(self):
        return self.encounters().newest_first()


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
        return self.encounters().involving(self.person).chronological()

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
