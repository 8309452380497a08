"""/stats/: contact statistics that agree with the list for the same filters."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from engagements.domain import leaders
from engagements.domain.stats import ContactStats
from engagements.models import Encounter
from tests.factories import EncounterFactory

pytestmark = pytest.mark.django_db
STATS = reverse("stats")


def csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def list_count(client, **params):
    return client.get(reverse("encounter-list"), params).context["paginator"].count


def test_the_page_draws_every_chart_with_its_table_and_csv_link(client, seeded):
    response = client.get(STATS)
    assert response.status_code == 200
    slugs = [chart.slug for chart in response.context["charts"]]
    assert slugs == list(ContactStats.CHARTS)
    for slug in slugs:
        assert f'id="chart-{slug}"' in response.text
        assert reverse("stats-csv", args=[slug]) in response.text
    assert response.text.count('<svg class="bars"') == len(slugs)
    assert "<title>2021, Leader: 3</title>" in response.text


@pytest.mark.parametrize("level", [value for value, _ in Encounter.Level.choices])
def test_csv_per_level_equals_the_lists_count(client, seeded, level):
    """Each level's column of the per-year CSV adds up to the list's count for that level."""
    rows = csv_rows(client.get(reverse("stats-csv", args=["by-year-level"])))
    column = rows[0].index(Encounter.Level(level).label)
    assert sum(int(row[column]) for row in rows[1:]) == list_count(client, level=level)


def test_csv_honours_the_filters(client, seeded):
    params = {"level": "leader", "date_after": "2022-01-01", "date_before": "2023-12-31"}
    rows = csv_rows(client.get(reverse("stats-csv", args=["by-year-kind"]), params))
    assert rows[0][0] == "Year" and rows[0][-1] == "Total"
    assert [row[0] for row in rows[1:]] == ["2022", "2023"]
    assert sum(int(row[-1]) for row in rows[1:]) == list_count(client, **params) == 2


def test_administration_pairs_split_on_inauguration_day(client, db):
    EncounterFactory(start_date=datetime.date(2021, 1, 19), level="leader", status="published")
    EncounterFactory(start_date=datetime.date(2021, 1, 20), level="leader", status="published")
    EncounterFactory(start_date=datetime.date(2021, 6, 1), level="cabinet", status="published")
    chart = client.get(STATS).context["charts"][2]
    assert chart.slug == "by-administration"
    counts = {row.label: row.values for row in chart.rows}
    assert counts == {
        "Trump × Xi, 2017": [1, 0, 0, 0, 0],
        "Biden × Xi, 2021": [1, 1, 0, 0, 0],
    }


def test_gaps_median_and_longest_per_pair(client, db):
    for day in [(2021, 2, 10), (2021, 3, 1), (2021, 6, 1), (2021, 6, 11)]:
        EncounterFactory(
            start_date=datetime.date(*day), level="leader", status="published", occurrence="held"
        )
    EncounterFactory(
        start_date=datetime.date(2021, 4, 1), level="leader", occurrence="cancelled",
        status="published",
    )  # fmt: skip
    rows = csv_rows(client.get(reverse("stats-csv", args=["gaps"])))
    assert rows[0] == [
        "US president × PRC leader", "Median gap (days)", "Longest gap (days)", "Gaps",
        "Longest gap from", "Longest gap until", "Figures",
    ]  # fmt: skip
    # No lane is cross-checked, so the figures are upper bounds.
    assert rows[1] == [
        "Biden × Xi, 2021", "19", "92", "3", "2021-03-01", "2021-06-01", "at most",
    ]  # fmt: skip


def test_initiative_shares_and_visit_directions(client, db):
    for initiated_by, kind, venue in [
        ("us", "visit", "prc"),
        ("us", "phone_call", "remote"),
        ("prc", "visit", "us"),
        ("unknown", "visit", "prc"),
    ]:
        EncounterFactory(
            start_date=datetime.date(2023, 5, 1), status="published", initiated_by=initiated_by,
            kind=kind, venue=venue,
        )  # fmt: skip
    initiated = csv_rows(client.get(reverse("stats-csv", args=["initiated"])))
    assert initiated[1][1:] == ["2", "1", "0", "1", "4", "66.7", "33.3"]
    assert initiated[-1][0] == "All"
    visits = csv_rows(client.get(reverse("stats-csv", args=["visits"])))
    assert visits[0][1:] == ["US officials in the PRC", "PRC officials in the US", "Total"]
    assert visits[1][1:] == ["2", "1", "3"]


def test_bad_filters_and_unknown_charts(client, db):
    assert client.get(STATS, {"date_after": "2021-02-30"}).status_code == 400
    response = client.get(reverse("stats-csv", args=["gaps"]), {"kind": "teleport"})
    assert response.status_code == 400 and b"kind" in response.content
    assert client.get("/stats/nonsense.csv").status_code == 404


def test_leaders_terms_do_not_overlap():
    for terms in (leaders.US_PRESIDENTS, leaders.PRC_LEADERS, leaders.PRC_PRESIDENTS):
        for earlier, later in zip(terms, terms[1:], strict=False):
            assert earlier.end == later.start
        assert terms[-1].end is None
    assert leaders.term_on(leaders.PRC_LEADERS, datetime.date(1979, 1, 1)).name == "Deng"


@pytest.mark.parametrize(
    "params", [{}, {"topic": "climate"}, {"level": "leader", "kind": "phone_call"}]
)
def test_counts_by_year_from_the_kept_month_counts_equal_counting(client, seeded, params):
    """Where the kept month counts are exactly the filtered encounters, the per-year charts sum
    them (no count of every row) and agree with counting."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from engagements.domain.filters import filter_encounters
    from engagements.domain.timeline import KeptMonths

    query = QueryDict(mutable=True)
    query.update(params)
    filterset, filtered = filter_encounters(query)
    kept = KeptMonths.of_filters(filterset)
    assert kept is not None
    with CaptureQueriesContext(connection) as captured:
        from_kept = ContactStats(filtered, query, kept).by_year
    assert any("engagements_month_count" in q["sql"] for q in captured)
    counted = ContactStats(filtered, query).by_year

    def by_cell(rows):
        return {(r["year"], r["level"], r["kind"]): r["n"] for r in rows}

    assert by_cell(from_kept) == by_cell(counted) != {}
    page = client.get(STATS, params)
    assert page.status_code == 200


# The chart's rows and table as the template's loops wrote them, before the tags that replace
# them (engagements/templatetags/research.py): the tags must write the same markup.
LOOPS = (
    '{% for row in chart.rows %}<g class="row"><text class="row-label" x="{{ chart.label_'
    'x }}" y="{{ row.label_y }}" text-anchor="end">{{ row.label }}</text>{% for segment i'
    'n row.segments %}<rect class="{{ segment.css }}" x="{{ segment.x }}" y="{{ segment.y'
    ' }}" width="{{ segment.width }}" height="{{ segment.height }}"><title>{{ segment.tit'
    "le }}</title></rect>{% endfor %}{% if chart.show_total and not chart.grouped and row"
    '.total %}<text class="row-total" x="{{ row.total_x }}" y="{{ row.label_y }}">{{ row.'
    "total }}</text>{% endif %}</g>{% endfor %}<tbody>{% for row, cells in chart.table %}"
    '<tr>{% for cell in cells %}{% if forloop.first %}<th scope="row">{% if row.url %}<a '
    'href="{{ row.url }}">{{ cell }}</a>{% else %}{{ cell }}{% endif %}</th>{% else %}<td'
    ">{{ cell }}</td>{% endif %}{% endfor %}</tr>{% endfor %}</tbody>"
)


@pytest.mark.parametrize("params", [{}, {"level": "leader"}])
def test_the_chart_tags_write_what_the_template_loops_wrote(client, seeded, params):
    from django.template import Context, Template

    charts = client.get(STATS, params).context["charts"]
    loops = Template(LOOPS)
    tags = Template(
        "{% load research %}{% chart_bars chart %}<tbody>{% chart_table_rows chart %}</tbody>"
    )
    drawn = [chart for chart in charts if chart.rows]
    assert len(drawn) >= 4
    for chart in drawn:
        expected = loops.render(Context({"chart": chart}))
        assert tags.render(Context({"chart": chart})) == expected
        assert "<rect " in expected and '<th scope="row">' in expected
