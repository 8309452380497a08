"""/timeline/: the list's encounters on a time axis, server-rendered."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from engagements.domain import timeline as timeline_module
from engagements.models import Encounter
from tests.factories import EncounterFactory, TopicFactory

pytestmark = pytest.mark.django_db
TIMELINE = reverse("timeline")


def test_every_matching_encounter_is_a_link_in_its_level_lane(client, seeded):
    response = client.get(TIMELINE)
    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert timeline.total == 15 and not timeline.aggregated
    lanes = {lane.level: lane for lane in timeline.lanes}
    assert [lane.level for lane in timeline.lanes] == list(Encounter.Level)
    assert len(lanes["leader"].marks) == 6
    urls = [mark.url for mark in lanes["leader"].marks]
    assert "/encounters/biden-xi-phone-call-2021-09-09/" in urls
    assert '<a href="/encounters/biden-xi-phone-call-2021-09-09/" class="mark"' in response.text
    assert 'href="#shape-summit_sideline" class="k-summit_sideline"' in response.text


def test_gaps_between_leader_contacts_are_labelled(client, seeded):
    response = client.get(TIMELINE)
    gaps = response.context["timeline"].gaps
    assert [gap.days for gap in gaps] == [211, 67, 364, 366, 367]
    assert ">≤211 d</text>" in response.text  # an upper bound: no lane is cross-checked
    assert "Gaps between leader-level contacts" in response.text


def test_month_chart_counts_encounters(client, seeded):
    timeline = client.get(TIMELINE).context["timeline"]
    by_month = {bar.month: bar.count for bar in timeline.bars}
    assert by_month[datetime.date(2021, 9, 1)] == 3
    assert sum(by_month.values()) == 15
    assert timeline.chart_max == 3
    assert dict(timeline.month_counts) == {2021: 12, 2022: 1, 2023: 1, 2024: 1}


def test_timeline_honours_the_list_filters(client, seeded):
    response = client.get(TIMELINE, {"topic": "climate", "date_before": "2021-08-31"})
    timeline = response.context["timeline"]
    assert timeline.total == 3  # the April trip, its talks, and the August trip
    assert 'href="/encounters/?topic=climate&amp;date_before=2021-08-31"' in response.text


def test_invalid_filters_are_a_400_with_the_form(client, seeded):
    response = client.get(TIMELINE, {"date_after": "not-a-date"})
    assert response.status_code == 400
    assert "id_date_after-errors" in response.text
    assert "timeline" not in response.context


def test_dense_results_are_drawn_as_counts_per_period(client, monkeypatch):
    monkeypatch.setattr(timeline_module, "MAX_MARKS", 5)
    topic = TopicFactory(slug="trade")
    for month in range(1, 9):
        EncounterFactory(level="cabinet", start_date=datetime.date(2022, month, 3)).topics.add(
            topic
        )
        EncounterFactory(level="cabinet", start_date=datetime.date(2022, month, 20))
    response = client.get(TIMELINE, {"topic": "trade"})
    timeline = response.context["timeline"]
    assert timeline.aggregated and timeline.period == "month"
    marks = next(lane for lane in timeline.lanes if lane.level == "cabinet").marks
    assert [mark.count for mark in marks] == [1] * 8
    assert marks[0].url == (
        "/encounters/?topic=trade&level=cabinet&date_after=2022-01-01&date_before=2022-01-31"
    )
    assert "too many to draw one by one" in response.text


def test_long_spans_aggregate_by_year(client, monkeypatch):
    monkeypatch.setattr(timeline_module, "MAX_MARKS", 2)
    for year in (1972, 1990, 2020):
        EncounterFactory(level="leader", start_date=datetime.date(year, 2, 1))
    timeline = client.get(TIMELINE).context["timeline"]
    assert timeline.period == "year"
    assert [tick.label for tick in timeline.ticks][:3] == ["1975", "1980", "1985"]


def test_empty_timeline(client):
    response = client.get(TIMELINE)
    assert response.status_code == 200
    assert "No encounters match these filters." in response.text


def test_lanes_by_kind_and_leaders_bands(client, seeded):
    response = client.get(TIMELINE, {"lanes": "kind"})
    timeline = response.context["timeline"]
    lanes = {lane.level: lane for lane in timeline.lanes}
    assert list(lanes) == list(Encounter.Kind)
    assert len(lanes["summit_sideline"].marks) == 3
    assert not timeline.gaps  # gaps belong to the leader lane
    us_row = timeline.band_rows[0]
    assert us_row.label == "US president" and [b.label for b in us_row.bands] == ["Biden"]
    assert 'name="lanes" value="kind"' in response.text  # the filter form keeps the choice
    assert client.get(TIMELINE, {"lanes": "sideways"}).status_code == 400


def test_marks_carry_principals_and_dates_for_tooltips(client, seeded):
    response = client.get(TIMELINE, {"level": "leader"})
    mark = response.context["timeline"].lanes[0].marks[0]
    assert mark.principals == "Joe Biden, Xi Jinping"
    assert mark.day == "2021-02-10" and mark.when == "10 Feb 2021"
    assert 'data-principals="Joe Biden, Xi Jinping"' in response.text
    assert mark.label.endswith(": Joe Biden, Xi Jinping")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"topic": "climate"},
        {"person": "xi-jinping"},
        {"level": "leader"},
        {"level": ["leader", "cabinet"], "kind": "phone_call", "lanes": "kind"},
        {"topic": "climate", "level": ["leader", "cabinet", "envoy"]},
    ],
)
def test_the_kept_month_counts_draw_the_same_timeline(client, seeded, monkeypatch, params):
    """Filters the kept month counts answer (a person or a topic, levels, kinds) draw exactly
    the timeline that grouping the encounters draws."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagements.domain.filters import filter_encounters
    from engagements.domain.timeline import KeptMonths, build_timeline

    monkeypatch.setattr(timeline_module, "MAX_MARKS", 3)  # the period marks read the grid too
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    filterset, filtered = filter_encounters(query)
    assert filterset.is_valid()
    lanes = query.get("lanes", "level")
    kept = KeptMonths.of_filters(filterset)
    assert kept is not None
    with CaptureQueriesContext(connection) as captured:
        from_kept = build_timeline(filtered, query, lanes, kept=kept)
    counted = build_timeline(filtered, query, lanes)
    assert counted.total > 0
    assert from_kept == counted
    assert not any("DATE_TRUNC" in q["sql"] for q in captured)


@pytest.mark.parametrize(
    "params",
    ["date_after=2021-01-01", "q=climate", "person=xi-jinping&person=joe-biden", "venue=us"],
)
def test_other_filters_are_counted_from_the_encounters(seeded, params):
    from engagements.domain.filters import filter_encounters
    from engagements.domain.timeline import KeptMonths

    filterset, _ = filter_encounters(QueryDict(params))
    assert filterset.is_valid()
    assert KeptMonths.of_filters(filterset) is None


def test_the_timeline_page_reads_the_kept_month_counts(client, seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(TIMELINE, {"topic": "climate"})
    climate = Encounter.objects.published().filter(topics__slug="climate")
    assert response.context["timeline"].total == climate.count() > 0
    assert any("engagements_month_count" in q["sql"] for q in captured)
    assert not any("DATE_TRUNC" in q["sql"] for q in captured)


@pytest.mark.parametrize("page", ["/people/xi-jinping/", "/topics/climate/"])
def test_person_and_topic_pages_draw_their_timeline_from_the_kept_counts(client, seeded, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagements.domain.timeline import build_timeline

    with CaptureQueriesContext(connection) as captured:
        response = client.get(page)
    assert response.status_code == 200
    assert any("engagements_month_count" in q["sql"] for q in captured)
    assert not any("DATE_TRUNC" in q["sql"] for q in captured)
    published = Encounter.objects.published()
    theirs = (
        published.filter(participations__person__slug="xi-jinping")
        if page.startswith("/people/")
        else published.filter(topics__slug="climate")
    )
    shown = response.context["timeline"]
    assert shown.total == theirs.count() > 0
    assert shown == build_timeline(theirs, shown_params(response))


def shown_params(response):
    """The list parameters the page built its timeline's links with (its list_query)."""
    return QueryDict(response.context["list_query"].lstrip("?"))
