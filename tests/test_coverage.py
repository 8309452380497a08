"""What the record covers: the page, and gap figures that count only what the coverage supports."""

import datetime

import pytest
from django.urls import reverse

from engagements.domain import coverage
from engagements.domain.timeline import build_timeline
from engagements.models import Encounter
from tests.factories import EncounterFactory

pytestmark = pytest.mark.django_db

Kind, Level, Venue = Encounter.Kind, Encounter.Level, Encounter.Venue


def leader(day, kind=Kind.PHONE_CALL, venue=Venue.REMOTE, **fields):
    return EncounterFactory(
        level=Level.LEADER, kind=kind, venue=venue, start_date=day, end_date=day, **fields
    )


def test_every_level_and_period_is_stated_once():
    levels = {level for statement in coverage.STATEMENTS for level in statement.level_values}
    assert levels == set(Level.values)
    for level in Level.values:
        rows = sorted((s.start, s.end) for s in coverage.STATEMENTS if level in s.level_values)
        for (_, end), (start, _) in zip(rows, rows[1:], strict=False):
            assert start == end + datetime.timedelta(days=1), level  # no overlap, no hole


def test_leader_calls_count_from_1989_and_only_visits_before():
    call_1988 = leader(datetime.date(1988, 6, 1))
    visit_1984 = leader(datetime.date(1984, 4, 26), kind=Kind.VISIT, venue=Venue.PRC)
    call_1990 = leader(datetime.date(1990, 6, 1))
    assert coverage.basis_for(call_1988) is None
    assert coverage.basis_for(visit_1984).phrase == "leader-level visit to the other country"
    assert coverage.basis_for(call_1990).phrase == "leader-level call or meeting"
    cabinet_2005 = EncounterFactory(level=Level.CABINET, start_date=datetime.date(2005, 1, 1))
    cabinet_2022 = EncounterFactory(level=Level.CABINET, start_date=datetime.date(2022, 1, 1))
    assert coverage.basis_for(cabinet_2005) is None
    assert coverage.basis_for(cabinet_2022).phrase == "cabinet-level call or meeting"


def test_days_since_never_reaches_across_the_start_of_complete_coverage(client):
    leader(datetime.date(1984, 4, 26), kind=Kind.VISIT, venue=Venue.PRC)
    first = leader(datetime.date(1989, 2, 25), kind=Kind.VISIT, venue=Venue.PRC)
    second = leader(datetime.date(1989, 3, 7))
    page = client.get(reverse("encounter-detail", args=[first.slug]))
    assert page.context["previous_at_level"] is None
    assert "The first leader-level call or meeting in the record since 1 January 1989" in page.text
    page = client.get(reverse("encounter-detail", args=[second.slug]))
    assert page.context["days_since_previous_at_level"] == 10
    assert "since the previous leader-level call or meeting" in page.text
    assert f'href="{reverse("coverage")}"' in page.text


def test_an_uncovered_level_says_it_is_not_counted(client):
    EncounterFactory(level=Level.DEPUTY, start_date=datetime.date(2021, 5, 1))
    later = EncounterFactory(level=Level.DEPUTY, start_date=datetime.date(2021, 6, 1))
    page = client.get(reverse("encounter-detail", args=[later.slug]))
    assert page.context["previous_at_level"] is None
    assert "not counted at the deputy level" in page.text


def test_timeline_gaps_do_not_cross_1989_nor_count_calls_before_it():
    leader(datetime.date(1975, 12, 1), kind=Kind.VISIT, venue=Venue.PRC)
    leader(datetime.date(1978, 6, 1))  # a call: not what the record is complete for then
    leader(datetime.date(1979, 1, 29), kind=Kind.VISIT, venue=Venue.US)
    leader(datetime.date(1984, 1, 10), kind=Kind.VISIT, venue=Venue.US)
    leader(datetime.date(1989, 2, 25), kind=Kind.VISIT, venue=Venue.PRC)
    leader(datetime.date(1989, 3, 7))
    timeline = build_timeline(Encounter.objects.published(), {})
    spans = [(gap.start.isoformat(), gap.end.isoformat(), gap.counting) for gap in timeline.gaps]
    visits = "leader-level visits to the other country"
    assert spans == [
        ("1975-12-01", "1979-01-29", visits),
        ("1979-01-29", "1984-01-10", visits),
        ("1989-02-25", "1989-03-07", "leader-level calls and meetings"),
    ]


def test_timeline_page_links_to_coverage_and_names_what_it_counts(client):
    leader(datetime.date(2021, 2, 10))
    leader(datetime.date(2021, 9, 9))
    text = client.get(reverse("timeline")).text
    assert f'href="{reverse("coverage")}"' in text
    assert "<td>Leader-level calls and meetings</td>" in text


def test_coverage_page_states_each_period_with_counts(client):
    leader(datetime.date(2022, 3, 18))
    EncounterFactory(level=Level.CABINET, start_date=datetime.date(2023, 5, 10))
    EncounterFactory(level=Level.CABINET, start_date=datetime.date(2023, 5, 11), status="draft")
    response = client.get(reverse("coverage"))
    assert response.status_code == 200
    rows = dict(
        ((statement.period, statement.levels), count)
        for statement, count in response.context["statements"]
    )
    assert rows[("2021–2025", "Leader and cabinet")] == 2  # drafts are not counted
    text = response.text
    assert "1989–2020" in text and "Listed, not complete" in text
    assert "Believed complete" not in text
    assert "Leader-level calls and meetings, 1 January 1989 to 31 December 2025" in text


def test_the_page_states_the_share_with_both_readouts_per_period(client):
    from tests.factories import SourceFactory

    def with_readouts(encounter, *kinds, text=""):
        for kind in kinds:
            SourceFactory(encounter=encounter, kind=kind, text=text)
        return encounter

    day = datetime.date
    with_readouts(leader(day(2010, 5, 1)), "us_readout", "prc_readout", text="Text.")
    with_readouts(leader(day(2011, 5, 1)), "us_readout")
    with_readouts(leader(day(2008, 5, 1)), "us_readout", "prc_readout")  # before 2009
    cabinet = EncounterFactory(level=Level.CABINET, start_date=day(2022, 3, 1))
    with_readouts(cabinet, "us_readout", "prc_readout")
    EncounterFactory(level=Level.CABINET, start_date=day(2019, 3, 1))  # before 2021
    rows = {(r.period, r.level): r for r in coverage.readout_coverage(Encounter.objects.all())}
    first = rows[("2009–2012", Level.LEADER)]
    assert (first.encounters, first.us, first.prc, first.both, first.both_texts) == (2, 2, 1, 1, 1)
    assert first.share_both == 50
    assert rows[("2009–2025", Level.LEADER)].encounters == 2
    assert ("2017–2020", Level.CABINET) not in rows
    recent = rows[("2021–2024", Level.CABINET)]
    assert (recent.encounters, recent.both, recent.share_both) == (1, 1, 100)
    assert rows[("2025", Level.CABINET)].share_both is None
    page = client.get(reverse("coverage"))
    assert page.context["readouts"] == coverage.readout_coverage(
        Encounter.objects.published().held()
    )
    assert "Both governments' readouts" in page.text
    assert "<td>50%</td>" in page.text


# -- "complete" only where a second enumeration was checked --------------------------------

CHECK_2021 = coverage.CrossCheck(
    Level.LEADER,
    datetime.date(2021, 1, 1),
    datetime.date(2025, 12, 31),
    "the White House's list of the President's calls",
    datetime.date(2026, 12, 4),
)


def test_no_lane_is_complete_without_a_cross_check():
    # The shipped record names no second enumeration, so nothing may claim completeness.
    assert coverage.CROSS_CHECKS == ()
    assert not any(basis.complete for basis in coverage.BASES)
    assert {s.completeness for s in coverage.STATEMENTS} == {
        coverage.Completeness.LISTED,
        coverage.Completeness.EXAMPLES,
    }


def test_a_cross_check_makes_only_its_level_and_period_complete(monkeypatch):
    monkeypatch.setattr(coverage, "CROSS_CHECKS", (CHECK_2021,))
    by_key = {(s.period, s.levels): s for s in coverage.STATEMENTS}
    # The 2021–2025 row holds leader and cabinet: one checked level is not enough.
    assert by_key[("2021–2025", "Leader and cabinet")].completeness == "Listed, not complete"
    leader_2021 = next(b for b in coverage.BASES if b.level == Level.LEADER and b.end.year == 2025)
    assert not leader_2021.complete  # the basis runs from 1989; the check covers 2021 on only
    monkeypatch.setattr(
        coverage,
        "CROSS_CHECKS",
        (
            CHECK_2021,
            coverage.CrossCheck(
                Level.CABINET,
                datetime.date(2021, 1, 1),
                datetime.date(2025, 12, 31),
                "the State Department's chronology",
                datetime.date(2026, 12, 4),
            ),
        ),
    )
    row = by_key[("2021–2025", "Leader and cabinet")]
    assert row.completeness == "Complete"
    assert [check.checked_against for check in row.cross_checks] == [
        "the White House's list of the President's calls",
        "the State Department's chronology",
    ]


def test_coverage_page_names_its_cross_checks(client, monkeypatch):
    page = client.get(reverse("coverage")).text
    assert "None yet. No lane of the record has been compared" in page
    assert "Not yet checked against a second, independent enumeration" in page
    monkeypatch.setattr(coverage, "CROSS_CHECKS", (CHECK_2021,))
    page = client.get(reverse("coverage")).text
    assert "<td>the White House&#x27;s list of the President&#x27;s calls</td>" in page
    assert "<td>4 December 2026</td>" in page


def test_days_since_reads_at_most_where_the_lane_is_not_complete(client, monkeypatch):
    leader(datetime.date(2022, 1, 26))
    later = leader(datetime.date(2022, 3, 14))
    page = client.get(reverse("encounter-detail", args=[later.slug])).text
    assert "<strong>At most 47 days</strong> since the previous leader-level call" in page
    assert "in the record (listed, not complete)" in page
    whole = coverage.CrossCheck(
        Level.LEADER,
        coverage.LEADER_COMPLETE_FROM,
        coverage.RESEARCHED_TO,
        "a list",
        later.start_date,
    )
    monkeypatch.setattr(coverage, "CROSS_CHECKS", (whole,))
    page = client.get(reverse("encounter-detail", args=[later.slug])).text
    assert "<strong>47 days</strong> since the previous leader-level call" in page


def test_timeline_and_stats_gaps_are_upper_bounds_unless_checked(client, monkeypatch):
    leader(datetime.date(2022, 1, 26))
    leader(datetime.date(2022, 3, 14))
    timeline = build_timeline(Encounter.objects.published(), {})
    assert [(gap.days, gap.complete, gap.label) for gap in timeline.gaps] == [(47, False, "≤47 d")]
    assert "<td>at most 47</td>" in client.get(reverse("timeline")).text
    chart = client.get(reverse("stats")).context["charts"][3]
    assert chart.slug == "gaps" and chart.rows[0].extra[-1] == "at most"
    whole = coverage.CrossCheck(
        Level.LEADER,
        coverage.LEADER_COMPLETE_FROM,
        coverage.RESEARCHED_TO,
        "a list",
        datetime.date(2026, 12, 4),
    )
    monkeypatch.setattr(coverage, "CROSS_CHECKS", (whole,))
    assert [gap.label for gap in build_timeline(Encounter.objects.published(), {}).gaps] == ["47 d"]
    chart = client.get(reverse("stats")).context["charts"][3]
    assert chart.rows[0].extra[-1] == "exact"
