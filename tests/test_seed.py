import datetime

import pytest
from django.core.management import call_command

from engagements.infrastructure.seeding import SEED_FILE
from engagements.models import Encounter, Participation, Quote, Source

pytestmark = pytest.mark.django_db

REQUIRED = [
    "biden-xi-phone-call-2021-02-10",
    "anchorage-talks-2021-03-18",
    "kerry-climate-trip-shanghai-2021-04",
    "sherman-visit-tianjin-2021-07",
    "kerry-climate-trip-tianjin-2021-08",
    "biden-xi-phone-call-2021-09-09",
    "biden-xi-virtual-summit-2021-11-15",
    "biden-xi-meeting-bali-2022-11-14",
    "biden-xi-meeting-woodside-2023-11-15",
    "biden-xi-meeting-lima-2024-11-16",
]


def counts():
    return [model.objects.count() for model in (Encounter, Participation, Source, Quote)] + [
        Encounter.history.count()
    ]


def test_seed_loads_the_required_encounters(seeded):
    slugs = set(Encounter.objects.published().values_list("slug", flat=True))
    assert set(REQUIRED) <= slugs
    for encounter in Encounter.objects.filter(slug__in=REQUIRED):
        assert encounter.sources.exists(), encounter.slug
        assert encounter.participations.exists(), encounter.slug
        assert encounter.topics.exists(), encounter.slug
        assert encounter.summary, encounter.slug


def test_seed_is_idempotent(seeded):
    before = counts()
    call_command("load_seed", file=[SEED_FILE], verbosity=0)
    assert counts() == before


def test_seed_does_not_overwrite_editor_changes(seeded):
    Encounter.objects.filter(slug=REQUIRED[0]).update(title="Corrected title")
    call_command("load_seed", file=[SEED_FILE], verbosity=0)
    assert Encounter.objects.get(slug=REQUIRED[0]).title == "Corrected title"


def test_september_call_details_and_quotes(seeded):
    call = Encounter.objects.get(slug="biden-xi-phone-call-2021-09-09")
    assert call.beijing_date == datetime.date(2021, 9, 10)
    assert call.duration_minutes == 90
    assert call.initiated_by == "us"
    quotes = list(call.quotes.all())
    assert len(quotes) == 5
    assert all(q.source.outlet == "CBS News" for q in quotes)
    assert "They’re trying to see if we’ll blink" in {q.text for q in quotes}
    # Attributed as CBS News attributes them.
    speakers = {q.text: q.speaker_description for q in quotes}
    assert speakers["unfruitful"] == "the official"
    wall = "I don’t want to convey that diplomacy on specific issues has hit a wall"
    assert speakers[wall] == "a senior official"
    assert speakers["they were playing for the press"] == "a senior administration official"


def test_offices_are_recorded_at_the_time(seeded):
    wang = Participation.objects.get(
        encounter__slug="anchorage-talks-2021-03-18", person__slug="wang-yi"
    )
    assert wang.office == "State Councilor and Foreign Minister"
    assert wang.person.name_zh == "王毅"


def test_trips_have_sessions(seeded):
    trip = Encounter.objects.get(slug="kerry-climate-trip-tianjin-2021-08")
    sessions = set(trip.sessions.values_list("slug", flat=True))
    assert sessions == {
        "kerry-wang-yi-video-call-2021-09-01",
        "kerry-han-zheng-video-call-2021-09-02",
    }


def test_seeded_search_finds_chinese_names(seeded):
    found = Encounter.objects.filter(search_vector="王毅").values_list("slug", flat=True)
    assert "anchorage-talks-2021-03-18" in found
