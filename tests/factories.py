import datetime

import factory
from django.utils import timezone

from engagements.models import Encounter, Participation, Person, Place, Quote, Side, Source, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Venue {n}")
    city = "Beijing"
    country = "CN"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Official {n}")
    slug = factory.Sequence(lambda n: f"official-{n}")
    side = Side.US


class EncounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encounter

    title = factory.Sequence(lambda n: f"Encounter {n}")
    slug = factory.Sequence(lambda n: f"encounter-{n}")
    kind = Encounter.Kind.PHONE_CALL
    venue = Encounter.Venue.REMOTE
    level = Encounter.Level.CABINET
    start_date = factory.Sequence(lambda n: datetime.date(2022, 1, 1) + datetime.timedelta(days=n))
    status = Encounter.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    summary = "A discussion."


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    encounter = factory.SubFactory(EncounterFactory)
    person = factory.SubFactory(PersonFactory)
    side = factory.SelfAttribute("person.side")
    role = Participation.Role.PRINCIPAL
    office = "Minister"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    encounter = factory.SubFactory(EncounterFactory)
    kind = Source.Kind.NEWS
    outlet = "Example News"
    title = factory.Sequence(lambda n: f"Report {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    encounter = factory.SubFactory(EncounterFactory)
    text = "We had a frank exchange."
    speaker_description = "a senior official"
