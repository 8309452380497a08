"""Every facet count and total the list shows is exactly what ticking that option would list,
whether it is read from the kept counts (nothing filtered) or counted in the one query over the
current results (engagements/domain/counts.py, engagements/domain/current_counts.py)."""

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse

from engagements.domain.filters import filter_encounters
from engagements.models import Encounter, Topic

pytestmark = pytest.mark.django_db

# Groups whose options combine as "any of": an option's count is the other filters plus it alone.
ANY_OF = {"kind", "level", "venue", "country", "initiated_by", "provenance"}


@pytest.fixture
def generated(db):
    call_command("generate_encounters", count=300, seed=7, no_history=True, verbosity=0)
    # Some drafts, which no count may include.
    drafts = Encounter.objects.order_by("id").values_list("id", flat=True)[:40]
    Encounter.objects.filter(id__in=list(drafts)).update(status="draft", published_at=None)


def listed(params):
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    filterset, queryset = filter_encounters(query)
    assert filterset.is_valid(), filterset.errors
    return queryset.count()


def busiest_topic():
    return Topic.objects.with_published_counts().order_by("-encounter_count").first().slug


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ["trade"]},
        {"level": ["cabinet", "leader"], "kind": ["meeting"]},
        {"date_after": ["2015-01-01"], "initiated_by": ["us"]},
        {"topic": ["@busiest"]},
        {"country": ["CN"]},
    ],
)
def test_every_count_is_what_ticking_it_lists(client, generated, params):
    params = {
        k: [busiest_topic() if v == "@busiest" else v for v in vs] for k, vs in params.items()
    }
    assert_every_count_is_what_ticking_it_lists(client, params)


@pytest.mark.parametrize(
    "params",
    [
        {"date_after": ["1900-01-01"]},
        {"venue": Encounter.Venue.values, "date_before": ["2100-01-01"]},
    ],
)
def test_broad_filters_are_counted_exactly_from_what_they_leave_out(
    client, generated, params, monkeypatch
):
    from django.db import connection

    from engagements.domain import current_counts

    # The planner's estimate picks the way: give it the table's statistics.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE engagements_encounter")
    taken = []

    def spy(*args, **kwargs):
        taken.append(args[0].data.urlencode())
        return original(*args, **kwargs)

    original = current_counts.counts_from_complement
    monkeypatch.setattr(current_counts, "counts_from_complement", spy)
    assert_every_count_is_what_ticking_it_lists(client, params)
    assert taken, "a filter set matching most of the record is counted from the rest"


def test_narrow_filters_are_counted_directly(client, generated, monkeypatch):
    from django.db import connection

    from engagements.domain import current_counts

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE engagements_encounter")
    monkeypatch.setattr(current_counts, "counts_from_complement", None)  # would raise if used
    assert_every_count_is_what_ticking_it_lists(client, {"date_after": ["2100-01-01"]}, least=0)
    assert_every_count_is_what_ticking_it_lists(client, {"q": ["trade"]})


def assert_every_count_is_what_ticking_it_lists(client, params, least=20):
    response = client.get(reverse("encounter-list"), params)
    assert response.status_code == 200
    assert response.context["paginator"].count == listed(params)
    checked = 0
    for group in response.context["facets"]:
        for option in group.options:
            if option.count is None:
                continue
            ticked = dict(params)
            if group.name in ANY_OF:
                ticked[group.name] = [option.value]
            else:
                ticked[group.name] = sorted({*params.get(group.name, []), option.value})
            assert option.count == listed(ticked), (group.name, option.value)
            checked += 1
    assert checked >= least
