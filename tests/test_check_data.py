"""`manage.py check_data` finds each kind of problem, and none in the shipped record."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from engagements.domain import coverage, offices
from engagements.domain.checks import find_problems, find_warnings, stale
from engagements.models import Encounter, OfficeTerm, Participation
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
US_PRESIDENT = "President of the United States"
PRC_PRESIDENT = "President of the People's Republic of China"


def problems_of(encounter, field=None):
    found = [p for p in find_problems() if p.slug == encounter.slug]
    return [p.message for p in found if field is None or p.field == field]


def sourced(**kwargs):
    encounter = EncounterFactory(**kwargs)
    SourceFactory(encounter=encounter)
    return encounter


def leaders_call(start, **kwargs):
    call = sourced(start_date=start, **kwargs)
    biden = PersonFactory(slug=f"biden-{start}", side="us")
    xi = PersonFactory(slug=f"xi-{start}", side="prc")
    ParticipationFactory(encounter=call, person=biden, office=US_PRESIDENT)
    ParticipationFactory(encounter=call, person=xi, office=PRC_PRESIDENT)
    return call


def test_a_clean_encounter_has_no_problem():
    assert problems_of(leaders_call(D(2022, 3, 18))) == []


def test_a_published_encounter_without_a_source():
    encounter = EncounterFactory()
    assert problems_of(encounter, "sources") == ["published without a source"]
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None)
    assert problems_of(draft, "sources") == []


def test_a_curated_encounter_whose_sources_have_no_url():
    encounter = EncounterFactory()
    SourceFactory(encounter=encounter, url="")
    assert problems_of(encounter, "sources") == ["curated, but none of its sources has a URL"]
    SourceFactory(encounter=encounter)
    assert problems_of(encounter, "sources") == []


def test_a_quote_without_a_source():
    encounter = sourced()
    QuoteFactory(encounter=encounter, source=None, text="We had a frank exchange.")
    assert problems_of(encounter, "quotes") == [
        "the quote “We had a frank exchange.” has no source"
    ]


def test_a_session_outside_its_parents_dates():
    place = PlaceFactory()
    in_person = {"kind": "meeting", "venue": "prc", "place": place}
    trip = sourced(start_date=D(2021, 7, 25), end_date=D(2021, 7, 26), **in_person)
    inside = sourced(start_date=D(2021, 7, 26), parent=trip, **in_person)
    outside = sourced(start_date=D(2021, 7, 28), parent=trip, **in_person)
    assert problems_of(inside, "start_date") == []
    assert problems_of(outside, "start_date") == [
        f"2021-07-28–2021-07-28 is outside its parent {trip.slug} (2021-07-25–2021-07-26)"
    ]
    # A call inside a visit is dated by Washington's calendar: a day apart is allowed.
    call = sourced(start_date=D(2021, 7, 24), parent=trip)
    assert problems_of(call, "start_date") == []


def test_a_level_that_contradicts_the_principals_offices():
    call = leaders_call(D(2022, 7, 28))
    # As a row loaded around the model would be: the stored level is not the derived one.
    Encounter.objects.filter(pk=call.pk).update(level="cabinet", derived_level="")
    assert problems_of(call, "level") == [
        "coded “cabinet”, but the principals' offices give “leader” (override only with a reason)"
    ]
    Encounter.objects.filter(pk=call.pk).update(level_override_reason="Both readouts say so.")
    assert problems_of(call, "level") == []


def test_an_office_not_in_the_table_of_ranks():
    call = sourced()
    ParticipationFactory(encounter=call, person__slug="someone", office="Lord Privy Seal")
    assert problems_of(call, "level") == [
        "cannot derive the level: someone's office “Lord Privy Seal” is not in the table of "
        "office ranks"
    ]


def test_a_participant_whose_office_was_not_held_on_that_date():
    meeting = sourced(start_date=D(2023, 6, 18))
    qin = PersonFactory(name="Qin Gang", side="prc")
    OfficeTerm.objects.create(
        person=qin, office="Foreign Minister", start_date=D(2022, 12, 30), end_date=D(2023, 7, 25)
    )
    ParticipationFactory(encounter=meeting, person=qin, office="Foreign Minister")
    assert problems_of(meeting, "participants") == []
    late = sourced(start_date=D(2023, 9, 1))
    ParticipationFactory(encounter=late, person=qin, office="Foreign Minister")
    assert problems_of(late, "participants") == [
        "Qin Gang did not hold “Foreign Minister” on 2023-09-01 (terms: 2022-12-30–2023-07-25)"
    ]


def test_a_capitals_date_that_contradicts_the_start_time_and_zone():
    call = sourced(start_date=D(2021, 11, 15), local_start_time=datetime.time(19, 45))
    assert problems_of(call) == []
    Encounter.objects.filter(pk=call.pk).update(beijing_date=D(2021, 11, 15))
    assert problems_of(call, "beijing_date") == [
        "is 2021-11-15, but the start time and time zone give 2021-11-16"
    ]


def test_a_capitals_date_typed_without_naming_its_source():
    call = sourced(start_date=D(2021, 9, 9), beijing_date=D(2021, 9, 10))
    assert problems_of(call, "beijing_date_note") == [
        "typed by hand (no start time) without naming the source that states it"
    ]
    Encounter.objects.filter(pk=call.pk).update(beijing_date_note="Xinhua: “Friday morning”")
    assert problems_of(call, "beijing_date_note") == []


def test_an_initiator_without_a_supporting_source():
    call = sourced(initiated_by="us")
    assert problems_of(call, "initiated_by") == [
        "“us” without a supporting source (initiator source)"
    ]
    Encounter.objects.filter(pk=call.pk).update(initiator_source=call.sources.get())
    assert problems_of(call, "initiated_by") == []
    # The Office's records and generated data are not held to it.
    assert problems_of(sourced(initiated_by="prc", provenance="hsg")) == []


def prc_readout(encounter, **fields):
    defaults = {
        "kind": "prc_readout", "issuer": "prc_mfa", "language": "zh", "outlet": "MFA",
        "url": "https://www.mfa.gov.cn/x", "text": "国家主席习近平应约同美国总统拜登通电话。",
    }  # fmt: skip
    return SourceFactory(encounter=encounter, **{**defaults, **fields})


def test_a_readout_saying_who_asked_while_the_initiator_is_unknown():
    call = sourced()
    readout = prc_readout(call)
    assert problems_of(call, "initiated_by") == [
        "unknown, but the PRC Ministry of Foreign Affairs readout says who asked or invited "
        "(“应约”): code it from the readout"
    ]
    call.fill_from({"initiated_by": "us", "initiator_note": "应约"}, readout)
    assert problems_of(call, "initiated_by") == []


def test_a_readout_contradicting_the_initiator_without_a_discrepancy():
    call = sourced(initiated_by="prc")
    Encounter.objects.filter(pk=call.pk).update(initiator_source=call.sources.get())
    readout = prc_readout(call)
    assert problems_of(call, "initiated_by") == [
        "coded “prc”, but the PRC Ministry of Foreign Affairs readout says “应约” (the us "
        "asked), and no discrepancy records the disagreement"
    ]
    call.refresh_from_db()
    call.fill_from({"initiated_by": "us", "initiator_note": "应约"}, readout)  # the discrepancy
    assert problems_of(call, "initiated_by") == []
    # A readout agreeing with the record, or saying nothing, is no problem.
    agreeing = sourced(initiated_by="us")
    Encounter.objects.filter(pk=agreeing.pk).update(initiator_source=agreeing.sources.get())
    prc_readout(agreeing)
    assert problems_of(agreeing) == []
    silent = sourced()
    prc_readout(silent, text="国家主席习近平同美国总统拜登通电话。")
    assert problems_of(silent) == []


def test_a_readouts_text_without_language_or_an_excerpt_without_its_address():
    call = sourced()
    prc_readout(call, text="双方通电话。", language="", url="", text_is_excerpt=True)
    assert problems_of(call, "sources") == [
        "the PRC Ministry of Foreign Affairs readout: an excerpt without the address of the "
        "whole text",
        "the PRC Ministry of Foreign Affairs readout: its text has no language",
    ]


def test_two_encounters_with_the_same_principals_within_a_day():
    first = leaders_call(D(2022, 3, 18))
    second = sourced(start_date=D(2022, 3, 19))
    for participation in first.participations.all():
        ParticipationFactory(
            encounter=second, person=participation.person, office=participation.office
        )
    assert problems_of(first, "participants") == [
        f"the same principals as {second.slug} (2022-03-19) within a day of 2022-03-18: "
        "a duplicate?"
    ]
    # A trip and its session share principals by design.
    Encounter.objects.filter(pk=second.pk).update(parent=first)
    assert problems_of(first, "participants") == []


def test_the_command_prints_one_line_per_problem_and_exits_non_zero():
    encounter = EncounterFactory()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("check_data", stdout=out, stderr=err)
    assert exit_status.value.code == 1
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("warning")]
    assert lines == [f"{encounter.slug}\tsources\tpublished without a source"]
    assert "1 problem(s)," in err.getvalue()
    SourceFactory(encounter=encounter)
    call_command("check_data", stdout=io.StringIO(), stderr=io.StringIO())


def test_editors_see_the_same_list_in_the_admin(admin_client):
    encounter = EncounterFactory()
    page = admin_client.get(reverse("data-check"))
    assert page.status_code == 200
    text = page.text
    assert "1 problem" in text and "published without a source" in text
    assert reverse("admin:engagements_encounter_change", args=[encounter.pk]) in text


def test_the_data_check_page_is_for_staff_only(client):
    response = client.get(reverse("data-check"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_seed_and_the_office_of_the_historian_import_pass_every_check():
    call_command("load_seed", verbosity=0)
    call_command("import_hsg", stdout=io.StringIO(), stderr=io.StringIO())
    problems = find_problems()
    assert [str(p) for p in problems] == []
    nixon = Encounter.objects.get(slug="nixon-visit-china-1972-02-21")
    deng = Encounter.objects.get(slug="deng-xiaoping-visit-us-1979-01-29")
    assert (nixon.start_date, deng.level) == (D(1972, 2, 21), "leader")


# The record's completeness and freshness ----------------------------------------------------


def test_a_visit_with_one_side_only():
    visit = sourced(start_date=D(2015, 9, 24), kind=Encounter.Kind.VISIT, venue="us")
    ParticipationFactory(encounter=visit, person=PersonFactory(side="prc"), role="visitor")
    assert problems_of(visit, "participants") == ["a visit with no US principal: one side only"]
    ParticipationFactory(encounter=visit, person=PersonFactory(side="us"), role="host")
    assert problems_of(visit, "participants") == []


def test_an_office_is_stored_as_its_posts_one_string():
    call = leaders_call(D(2022, 3, 18))
    vice_premier = ParticipationFactory(
        encounter=call, person=PersonFactory(side="prc"), office="Vice Premier"
    )
    assert vice_premier.office == "Vice Premier of the State Council"
    # Paths that bypass save() are refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(pk=vice_premier.pk).update(office="Vice Premier")


def test_an_office_the_table_comes_to_call_a_variant_is_reported(monkeypatch):
    call = leaders_call(D(2022, 3, 18))
    monkeypatch.setitem(offices.CANONICAL, US_PRESIDENT, "President")
    assert problems_of(call, "participants") == [
        f"{call.participations.get(side='us').person.name}'s office “{US_PRESIDENT}” is not "
        "canonical: write “President”"
    ]


def test_a_complete_lane_with_an_encounter_missing_its_issued_readout(monkeypatch):
    call = leaders_call(D(2022, 3, 18), level=Encounter.Level.LEADER)
    SourceFactory(encounter=call, kind="news", title="Readout of the call, as reported")
    assert problems_of(call, "sources") == []  # no lane is complete: nothing to hold it to
    monkeypatch.setattr(
        coverage,
        "CROSS_CHECKS",
        (
            coverage.CrossCheck(
                Encounter.Level.LEADER, D(2021, 1, 1), D(2025, 12, 31), "a list", D(2026, 12, 4)
            ),
        ),
    )
    assert problems_of(call, "sources") == [
        "in a lane checked complete against a list, but no official readout is attached "
        "although its sources show one was issued"
    ]
    SourceFactory(encounter=call, kind="us_readout", issuer="white_house")
    assert problems_of(call, "sources") == []


def test_a_stale_record_is_a_warning_that_gives_the_newest_date():
    leaders_call(D(2025, 11, 24))
    found = list(stale(Encounter.objects.all(), today=D(2026, 2, 1)))
    assert [p.message for p in found] == [
        "the newest encounter is of 2025-11-24, 69 days ago (more than 60): the record may be stale"
    ]
    assert list(stale(Encounter.objects.all(), today=D(2026, 1, 20))) == []
    # A warning: printed, and the command still succeeds.
    out = io.StringIO()
    call_command("check_data", stdout=out, stderr=io.StringIO())
    assert find_problems() == []
    assert [w.field for w in find_warnings()] == ["start_date"]
    assert out.getvalue().startswith("warning\t(the record)\tstart_date\tthe newest encounter")
