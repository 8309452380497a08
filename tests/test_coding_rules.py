"""The coding rules: dates in both capitals, the level from the offices' ranks, the initiator."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from engagements.devtools import synthetic
from engagements.domain import capitals, ranks
from engagements.models import Encounter, OfficeTerm, Place
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
)

D = datetime.date
US_PRESIDENT = "President of the United States"
PRC_PRESIDENT = "President of the People's Republic of China"


# --- Ranks ---------------------------------------------------------------------------------


def test_every_office_in_the_table_has_one_of_the_five_ranks():
    assert set(ranks.OFFICE_RANKS.values()) <= set(Encounter.Level.values)
    assert list(Encounter.Level.values) == ranks.ORDER


@pytest.mark.parametrize(
    "office, rank",
    [
        (US_PRESIDENT, "leader"),
        ("Premier of the State Council", "leader"),
        ("Vice President of the United States", "cabinet"),
        ("Member of the Politburo Standing Committee", "cabinet"),
        ("State Councilor", "cabinet"),
        ("National Security Advisor", "cabinet"),
        ("Special Presidential Envoy for Climate", "envoy"),
        ("Deputy Secretary of State", "deputy"),
        # Joined titles rank as the most senior part.
        ("State Councilor and Foreign Minister", "cabinet"),
        ("Director, Office of the Central Foreign Affairs Commission; Foreign Minister", "cabinet"),
        ("Chief of Staff to the Mayor", None),
        ("", None),
    ],
)
def test_office_ranks(office, rank):
    assert ranks.office_rank(office) == rank


def test_the_level_is_the_most_senior_principal_of_the_less_senior_side():
    leads = [
        ("us", "wendy-sherman", "Deputy Secretary of State"),
        ("prc", "wang-yi", "State Councilor and Foreign Minister"),
        ("prc", "xie-feng", "Vice Foreign Minister"),
    ]
    assert ranks.derive_level(leads, D(2021, 7, 26)).level == "deputy"
    leads.append(("us", "antony-blinken", "Secretary of State"))
    assert ranks.derive_level(leads, D(2021, 7, 26)).level == "cabinet"


def test_deng_xiaoping_is_leader_rank_from_1978_to_1989_whatever_his_office():
    leads = [("us", "jimmy-carter", US_PRESIDENT), ("prc", "deng-xiaoping", "Vice Premier")]
    assert ranks.derive_level(leads, D(1979, 1, 29)).level == "leader"
    assert ranks.derive_level(leads, D(1975, 12, 1)).level == "cabinet"


def test_an_unranked_office_or_a_missing_side_gives_no_level_and_says_why():
    leads = [("us", "a", US_PRESIDENT), ("prc", "b", "Mayor")]
    derivation = ranks.derive_level(leads, D(2020, 1, 1))
    assert derivation.level is None
    assert "“Mayor” is not in the table" in derivation.problems[0]
    derivation = ranks.derive_level([("us", "a", US_PRESIDENT)], D(2020, 1, 1))
    assert derivation.level is None and "PRC side" in derivation.problems[0]


def test_every_office_the_generator_uses_has_the_rank_it_is_generated_at():
    for level, office, *_ in synthetic.US_OFFICES + synthetic.PRC_OFFICES:
        assert ranks.office_rank(office) == level, office


# --- Dates ---------------------------------------------------------------------------------


def dates(**kwargs):
    kwargs.setdefault("time_zone", "")
    kwargs.setdefault("place_zone", "")
    kwargs.setdefault("local_time", None)
    result = capitals.capital_dates(**kwargs)
    return result.washington, result.beijing


def test_an_evening_call_in_washington_is_the_next_day_in_beijing():
    assert dates(remote=True, start_date=D(2021, 11, 15), local_time=datetime.time(19, 45)) == (
        D(2021, 11, 15),
        D(2021, 11, 16),
    )


def test_a_call_timed_in_beijing_is_dated_by_washington():
    # 09:00 on 11 Feb in Beijing is the evening of 10 Feb in Washington (the call's date).
    assert dates(
        remote=True,
        start_date=D(2021, 2, 10),
        local_time=datetime.time(9, 0),
        time_zone="Asia/Shanghai",
    ) == (D(2021, 2, 10), D(2021, 2, 11))


def test_in_person_dates_are_local_and_the_capitals_are_computed_from_the_place():
    woodside = dict(remote=False, place_zone="America/Los_Angeles")
    assert dates(start_date=D(2023, 11, 15), local_time=datetime.time(11, 20), **woodside) == (
        D(2023, 11, 15),
        D(2023, 11, 16),
    )
    tianjin = dict(remote=False, place_zone="Asia/Shanghai")
    assert dates(start_date=D(2021, 7, 26), local_time=datetime.time(9, 0), **tianjin) == (
        D(2021, 7, 25),
        D(2021, 7, 26),
    )


def test_without_a_time_only_the_encounters_own_calendar_is_known():
    assert dates(remote=True, start_date=D(2021, 9, 9)) == (D(2021, 9, 9), None)
    in_china = dict(remote=False, place_zone="Asia/Shanghai")
    assert dates(start_date=D(2021, 7, 26), **in_china) == (None, D(2021, 7, 26))
    in_geneva = dict(remote=False, place_zone="Europe/Zurich")
    assert dates(start_date=D(2024, 11, 16), **in_geneva) == (None, None)
    # Lima keeps Washington's clock in November (both UTC−5): the same calendar.
    in_lima = dict(remote=False, place_zone="America/Lima")
    assert dates(start_date=D(2024, 11, 16), **in_lima) == (D(2024, 11, 16), None)
    # Washington's calendar all day long: the date is Washington's.
    in_new_york = dict(remote=False, place_zone="America/New_York")
    assert dates(start_date=D(2024, 11, 16), **in_new_york) == (D(2024, 11, 16), None)


def test_time_zones_are_validated():
    capitals.validate_time_zone("Europe/Zurich")
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        capitals.validate_time_zone("Europe/Atlantis")


# --- On the model --------------------------------------------------------------------------


@pytest.mark.django_db
def test_places_get_their_zone_and_bad_zones_are_refused():
    assert PlaceFactory(city="Tianjin", country="CN").timezone == "Asia/Shanghai"
    place = Place(name="Somewhere", city="Nowhere", country="US", timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        place.full_clean()
    assert "timezone" in error.value.message_dict


@pytest.mark.django_db
def test_saving_computes_the_capitals_dates_and_overwrites_typed_ones():
    filoli = PlaceFactory(name="Filoli", city="Woodside", country="US")
    meeting = EncounterFactory(
        kind=Encounter.Kind.SUMMIT_SIDELINE,
        venue=Encounter.Venue.US,
        place=filoli,
        start_date=D(2023, 11, 15),
        local_start_time=datetime.time(11, 20),
        beijing_date=D(2023, 11, 15),  # typed wrongly: the time decides
    )
    meeting.refresh_from_db()
    assert meeting.time_zone == "America/Los_Angeles"
    assert (meeting.washington_date, meeting.beijing_date) == (D(2023, 11, 15), D(2023, 11, 16))


@pytest.mark.django_db
def test_a_date_typed_without_a_time_is_kept_but_needs_the_source_named():
    call = EncounterFactory(start_date=D(2021, 9, 9), beijing_date=D(2021, 9, 10))
    call.refresh_from_db()
    assert (call.washington_date, call.beijing_date) == (D(2021, 9, 9), D(2021, 9, 10))
    assert "beijing_date_note" in call.unsourced_capital_dates()
    call.beijing_date_note = "Xinhua: “on the morning of 10 September”"
    assert call.unsourced_capital_dates() == {}


@pytest.mark.django_db
def test_the_level_follows_the_principals_offices():
    call = EncounterFactory(level=Encounter.Level.WORKING)
    us = PersonFactory(slug="joe-biden", side="us")
    prc = PersonFactory(slug="xi-jinping", side="prc")
    ParticipationFactory(encounter=call, person=us, office=US_PRESIDENT)
    ParticipationFactory(encounter=call, person=prc, office=PRC_PRESIDENT)
    call.refresh_from_db()
    assert (call.level, call.derived_level) == ("leader", "leader")
    # The PRC principal's office changes: the level follows.
    participation = call.participations.get(person=prc)
    participation.office = "Vice Premier of the State Council"
    participation.save()
    call.refresh_from_db()
    assert (call.level, call.derived_level) == ("cabinet", "cabinet")


@pytest.mark.django_db
def test_an_override_needs_a_reason_in_the_database():
    call = EncounterFactory()
    ParticipationFactory(encounter=call, person__side="us", office=US_PRESIDENT)
    ParticipationFactory(encounter=call, person__side="prc", office=PRC_PRESIDENT)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Encounter.objects.filter(pk=call.pk).update(level="cabinet")
    assert "encounter_level_override_has_reason" in str(error.value)
    Encounter.objects.filter(pk=call.pk).update(
        level="cabinet", level_override_reason="Both readouts call it a ministerial call."
    )
    call.refresh_from_db()
    call.apply_coding_rules()
    call.refresh_from_db()
    assert (call.level, call.derived_level) == ("cabinet", "leader")


@pytest.mark.django_db
def test_the_initiator_source_must_be_one_of_the_encounters_own():
    call = EncounterFactory(initiated_by="us")
    other = SourceFactory()
    call.initiator_source = other
    with pytest.raises(ValidationError) as error:
        call.clean()
    assert "initiator_source" in error.value.message_dict
    call.initiator_source = SourceFactory(encounter=call)
    call.clean()


@pytest.mark.django_db
def test_office_terms_know_whether_they_cover_a_date():
    term = OfficeTerm.objects.create(
        person=PersonFactory(), office="Foreign Minister", start_date=D(2022, 12, 30)
    )
    assert term.covers(D(2023, 7, 1)) and not term.covers(D(2022, 12, 29))
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeTerm.objects.create(
            person=term.person, office="X", start_date=D(2023, 1, 2), end_date=D(2023, 1, 1)
        )
