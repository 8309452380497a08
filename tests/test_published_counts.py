"""The counts over the whole published record (engagements/domain/counts.py) stay exactly what
counting the rows gives, after every kind of write an editor or an import makes."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Min

from engagements.models import (
    Encounter,
    EncounterLinks,
    MonthCount,
    Participation,
    PersonPublishedCount,
    PersonSideCount,
    PublishedFacetCount,
    TopicPublishedCount,
)
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

FIELDS = ["kind", "level", "venue", "initiated_by", "provenance"]


def counted_from_rows():
    """What the tables must hold, counted from the rows the slow way."""
    published = Encounter.objects.published()
    facets = {("total", ""): published.count()} if published.exists() else {}
    for name in FIELDS:
        for row in published.values(name).annotate(n=Count("pk")):
            facets[(name, row[name])] = row["n"]
    for row in published.exclude(place=None).values("place__country").annotate(n=Count("pk")):
        facets[("country", row["place__country"])] = row["n"]
    people = {
        row["person"]: (row["n"], row["first"], row["last"])
        for row in Participation.objects.filter(encounter__status="published")
        .values("person")
        .annotate(
            n=Count("encounter"),
            first=Min("encounter__start_date"),
            last=Max("encounter__start_date"),
        )
    }
    through = Encounter.topics.through
    topics = {
        row["topic"]: row["n"]
        for row in through.objects.filter(encounter__status="published")
        .values("topic")
        .annotate(n=Count("encounter"))
    }
    return facets, people, topics


def kept():
    """What the tables hold (rows counting nothing left out)."""
    facets = {
        (row.facet, row.value): row.encounters
        for row in PublishedFacetCount.objects.filter(encounters__gt=0)
    }
    people = {
        row.person_id: (row.encounters, row.first_date, row.last_date)
        for row in PersonPublishedCount.objects.filter(encounters__gt=0)
    }
    topics = {
        row.topic_id: row.encounters for row in TopicPublishedCount.objects.filter(encounters__gt=0)
    }
    return facets, people, topics


def links_from_rows():
    links = {e: ([], []) for e in Encounter.objects.values_list("id", flat=True)}
    for encounter, person in Participation.objects.values_list("encounter", "person"):
        links[encounter][0].append(person)
    for encounter, topic in Encounter.topics.through.objects.values_list("encounter", "topic"):
        links[encounter][1].append(topic)
    return {e: (sorted(p), sorted(t)) for e, (p, t) in links.items() if p or t}


def links_kept():
    return {
        row.encounter_id: (row.person_ids, row.topic_ids)
        for row in EncounterLinks.objects.all()
        if row.person_ids or row.topic_ids
    }


def months_from_rows():
    """{(scope, key, month, end month, level, kind): n}, counted from the rows."""
    months = {}
    published = Encounter.objects.published()
    scopes = [("record", [(e, 0) for e in published])]
    scopes.append(
        (
            "person",
            [(p.encounter, p.person_id) for p in Participation.objects.select_related("encounter")],
        )
    )
    through = Encounter.topics.through
    scopes.append(("topic", [(t.encounter, t.topic_id) for t in through.objects.all()]))
    for scope, pairs in scopes:
        for encounter, key in pairs:
            if encounter.status != Encounter.Status.PUBLISHED:
                continue
            cell = (
                scope,
                key,
                encounter.start_date.replace(day=1),
                encounter.end_date.replace(day=1),
                encounter.level,
                encounter.kind,
            )
            months[cell] = months.get(cell, 0) + 1
    return months


def months_kept():
    return {
        (c.scope, c.key, c.month, c.end_month, c.level, c.kind): c.encounters
        for c in MonthCount.objects.filter(encounters__gt=0)
    }


def sides_from_rows():
    published = Participation.objects.filter(encounter__status="published")
    return {
        (row["person"], row["side"]): row["n"]
        for row in published.values("person", "side").annotate(n=Count("encounter"))
    }


def sides_kept():
    return {
        (row.person_id, row.side): row.encounters
        for row in PersonSideCount.objects.filter(encounters__gt=0)
    }


def assert_exact():
    assert kept() == counted_from_rows()
    assert sides_kept() == sides_from_rows()
    assert not PersonSideCount.objects.filter(encounters__lt=0).exists()
    assert links_kept() == links_from_rows()
    assert months_kept() == months_from_rows()
    assert not MonthCount.objects.filter(encounters__lt=0).exists()
    # No row is left of a deleted encounter.
    assert not EncounterLinks.objects.exclude(encounter__in=Encounter.objects.all()).exists()


@pytest.fixture
def record():
    """A few published encounters and a draft, sharing people, topics and places."""
    places = [PlaceFactory(country="CN"), PlaceFactory(country="US")]
    people = [PersonFactory(side="us"), PersonFactory(side="prc"), PersonFactory(side="us")]
    topics = [TopicFactory(), TopicFactory()]
    encounters = []
    for i in range(4):
        encounter = EncounterFactory(
            place=places[i % 2],
            start_date=datetime.date(2020 + i, 3, 1),
            end_date=datetime.date(2020 + i, 3, 1),
            level=["leader", "cabinet"][i % 2],
        )
        encounter.topics.set(topics[: 1 + i % 2])
        for person in people[: 2 + i % 2]:
            ParticipationFactory(encounter=encounter, person=person, side=person.side)
        encounters.append(encounter)
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None, place=places[0])
    ParticipationFactory(encounter=draft, person=people[0], side="us")
    draft.topics.set(topics)
    return encounters, draft, people, topics, places


def test_the_counts_match_the_rows_after_creating(record):
    assert_exact()
    assert PublishedFacetCount.objects.get(facet="total", value="").encounters == 4


def test_publish_and_unpublish(record):
    encounters, draft, people, *_ = record
    draft.status = Encounter.Status.PUBLISHED
    draft.save()
    assert_exact()
    assert PersonPublishedCount.objects.get(person=people[0]).encounters == 5
    encounters[0].unpublish()
    assert_exact()
    encounters[3].unpublish()  # the last date of people[0] goes: read again
    assert_exact()
    assert PersonPublishedCount.objects.get(person=people[2]).encounters == 1


def test_editing_fields_dates_and_place(record):
    encounters, _, people, _, places = record
    first = encounters[0]
    first.level = "deputy"
    first.kind = Encounter.Kind.VIDEO_CALL
    first.start_date = first.end_date = datetime.date(2024, 5, 5)  # its person's first date moves
    first.place = None
    first.save()
    assert_exact()
    spanning = encounters[2]  # a visit into the next month: its cell is (March, April)
    spanning.end_date = spanning.start_date + datetime.timedelta(days=40)
    spanning.save()
    assert_exact()
    assert MonthCount.objects.filter(
        scope="record", month=spanning.start_date, end_month=datetime.date(2022, 4, 1)
    ).exists()
    encounters[1].title = "Only words changed"
    encounters[1].save()
    assert_exact()
    places[1].country = "JP"
    places[1].save()
    assert_exact()
    Encounter.objects.filter(pk__in=[e.pk for e in encounters]).update(venue="third_country")
    assert_exact()


def test_editing_participants_and_topics(record):
    encounters, draft, people, topics, _ = record
    newcomer = PersonFactory(side="prc")
    Participation.objects.filter(encounter=encounters[2], person=people[1]).update(person=newcomer)
    assert_exact()
    # Taking part for the other side (an interpreter, a third party): counted for that side.
    Participation.objects.filter(encounter=encounters[1], person=people[0]).update(side="other")
    assert_exact()
    assert PersonSideCount.objects.get(person=people[0], side="other").encounters == 1
    Participation.objects.filter(encounter=encounters[3], person=people[2]).delete()
    assert_exact()
    ParticipationFactory(encounter=encounters[0], person=people[2], side="us")
    assert_exact()
    encounters[0].topics.remove(topics[0])
    encounters[1].topics.clear()
    encounters[2].topics.add(TopicFactory())
    draft.topics.clear()
    assert_exact()


def test_deleting(record):
    encounters, draft, *_ = record
    encounters[1].delete()
    draft.delete()
    assert_exact()
    Encounter.objects.all().delete()
    assert_exact()
    assert kept() == ({}, {}, {})
    assert months_kept() == {}


def test_a_bulk_import_and_a_truncate(record):
    from engagements.devtools.synthetic import clear_synthetic

    call_command("generate_encounters", count=120, seed=3, no_history=True, verbosity=0)
    assert_exact()
    clear_synthetic()  # by SQL, people and topics included
    assert_exact()
    call_command("generate_encounters", count=60, seed=4, no_history=True, verbosity=0)
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left pending
        cursor.execute("TRUNCATE engagements_encounter_topics")
    assert_exact()


def test_a_rolled_back_write_leaves_the_counts_as_they_were(record):
    from django.db import transaction

    encounters, *_ = record
    before = kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        encounters[0].unpublish()
        raise RuntimeError
    assert kept() == before


def test_a_person_or_topic_deleted_in_plain_sql_takes_its_counts_along():
    # As the synthetic data's removal does: DELETE statements, no Django cascade.
    person, topic = PersonFactory(), TopicFactory()
    encounter = EncounterFactory()
    encounter.topics.add(topic)
    ParticipationFactory(encounter=encounter, person=person)
    assert PersonPublishedCount.objects.filter(person=person).exists()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM engagements_participation WHERE person_id = %s", [person.pk])
        cursor.execute("DELETE FROM engagements_encounter_topics WHERE topic_id = %s", [topic.pk])
        cursor.execute("DELETE FROM engagements_person WHERE id = %s", [person.pk])
        cursor.execute("DELETE FROM engagements_topic WHERE id = %s", [topic.pk])
        # The foreign keys are deferred: check them now, as the commit would.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not PersonPublishedCount.objects.filter(person_id=person.pk).exists()
    assert not PersonSideCount.objects.filter(person_id=person.pk).exists()
    assert not TopicPublishedCount.objects.filter(topic_id=topic.pk).exists()


def test_person_and_topic_pages_page_by_the_kept_count(client, record):
    encounters, draft, people, topics, _ = record
    encounters[0].unpublish()
    published = Encounter.objects.published()
    for obj, theirs in (
        (people[0], published.filter(participations__person=people[0])),
        (topics[0], published.filter(topics=topics[0])),
    ):
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert response.context["paginator"].count == theirs.count() == 3
        assert len(response.context["encounters"]) == 3
