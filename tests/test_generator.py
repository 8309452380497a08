"""The synthetic data generator and its removal (small counts: `make test` stays fast)."""

import datetime

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min

from engagements.devtools import synthetic
from engagements.models import (
    SEARCH_CONFIG,
    Encounter,
    Participation,
    Person,
    Place,
    Quote,
    Source,
    Topic,
)

pytestmark = pytest.mark.django_db

SYNTHETIC = Encounter.Provenance.SYNTHETIC


def generate(count=40, seed=7, **options):
    call_command("generate_encounters", count=count, seed=seed, verbosity=0, **options)


def snapshot():
    """Everything a generated encounter says, without database ids or the clock."""
    rows = []
    encounters = (
        Encounter.objects.filter(provenance=SYNTHETIC)
        .select_related("place", "parent")
        .prefetch_related("participations__person", "sources", "quotes__speaker", "topics")
        .order_by("slug")
    )
    for e in encounters:
        rows.append(
            (
                e.slug,
                e.title,
                e.kind,
                e.venue,
                e.level,
                e.start_date,
                e.end_date,
                e.date_precision,
                e.beijing_date,
                e.local_start_time,
                e.duration_minutes,
                e.status,
                e.tone,
                e.summary,
                e.outcomes,
                e.search_document,
                e.created_at,
                str(e.place) if e.place else None,
                e.parent.slug if e.parent else None,
                [
                    (p.person.slug, p.side, p.role, p.office, p.order)
                    for p in e.participations.all()
                ],
                [(s.kind, s.outlet, s.title, s.url, s.published_on) for s in e.sources.all()],
                [
                    (q.text, q.speaker.slug if q.speaker else q.speaker_description)
                    for q in e.quotes.all()
                ],
                sorted(t.slug for t in e.topics.all()),
            )
        )
    return rows


def test_generates_the_requested_count_all_marked_synthetic():
    generate(count=40)
    encounters = Encounter.objects.all()
    assert encounters.count() == 40
    assert set(encounters.values_list("provenance", flat=True)) == {SYNTHETIC}
    assert all(
        slug.startswith("synthetic-7-") for slug in encounters.values_list("slug", flat=True)
    )
    assert not Person.objects.exclude(slug__startswith=synthetic.PREFIX).exists()
    assert not Topic.objects.exclude(slug__startswith=synthetic.PREFIX).exists()
    assert not Place.objects.exclude(name__endswith=synthetic.NAME_SUFFIX).exists()
    assert not Source.objects.exclude(url__startswith="https://example.org/synthetic/").exists()


def test_counts_and_ranges_are_plausible():
    generate(count=150, seed=3)
    encounters = Encounter.objects.filter(provenance=SYNTHETIC)
    per_encounter = encounters.annotate(
        people=Count("participations", distinct=True),
        n_sources=Count("sources", distinct=True),
        n_topics=Count("topics", distinct=True),
    ).aggregate(
        min_people=Min("people"),
        max_people=Max("people"),
        min_sources=Min("n_sources"),
        max_sources=Max("n_sources"),
        min_topics=Min("n_topics"),
    )
    assert per_encounter["min_people"] >= 1 and per_encounter["max_people"] <= 12
    assert per_encounter["max_people"] > 4  # delegations, not only pairs
    assert per_encounter["min_sources"] >= 1 and per_encounter["max_sources"] <= 5
    assert per_encounter["min_topics"] >= 1
    dates = encounters.aggregate(first=Min("start_date"), last=Max("end_date"))
    assert dates["first"] >= synthetic.FIRST_DAY and dates["last"] <= synthetic.LAST_DAY
    assert dates["last"] - dates["first"] > datetime.timedelta(days=365 * 15)  # 25 years' spread
    assert len(set(encounters.values_list("kind", flat=True))) >= 5
    assert len(set(encounters.values_list("level", flat=True))) == 5
    assert Quote.objects.exists()
    assert encounters.filter(parent__isnull=False).exists()  # sessions of visits and talks
    # Every participant's side is their own, and each side has at most one principal.
    assert not Participation.objects.exclude(side=F("person__side")).exists()
    principals = Participation.objects.principals().values("encounter", "side")
    assert not principals.annotate(n=Count("id")).filter(n__gt=1).exists()
    assert encounters.filter(status=Encounter.Status.PUBLISHED).count() > 100
    assert not encounters.filter(status="published", published_at__isnull=True).exists()


def test_same_seed_same_rows_whatever_the_batch_size():
    generate(count=60, seed=11, batch_size=1000)
    first = snapshot()
    call_command("clear_synthetic", verbosity=0)
    assert not Encounter.objects.exists()
    generate(count=60, seed=11, batch_size=7)
    assert snapshot() == first


def test_another_seed_gives_other_rows_and_both_can_coexist():
    generate(count=20, seed=1)
    first = snapshot()
    generate(count=20, seed=2)
    assert Encounter.objects.count() == 40
    seed_two = [row for row in snapshot() if row[0].startswith("synthetic-2-")]
    assert [row[1:] for row in seed_two] != [row[1:] for row in first]


def test_same_seed_twice_is_refused_unless_clear():
    generate(count=5, seed=4)
    with pytest.raises(CommandError, match="already exist"):
        generate(count=5, seed=4)
    generate(count=8, seed=4, clear=True)
    assert Encounter.objects.count() == 8


def test_search_document_matches_the_model_and_search_finds_generated_rows():
    generate(count=30, seed=5)
    for encounter in Encounter.objects.all():
        assert encounter.search_document == encounter.build_search_document()
    encounter = Encounter.objects.filter(quotes__language="en").first()
    principal = encounter.participations.principals().select_related("person").first().person
    query = SearchQuery(
        f'"{principal.name}" {encounter.title.split()[-1]}',
        search_type="websearch",
        config=SEARCH_CONFIG,
    )
    assert encounter in Encounter.objects.filter(search_vector=query)
    quote = encounter.quotes.filter(language="en").first().text
    longest_word = max(quote.strip(".").split(), key=len)
    query = SearchQuery(longest_word, search_type="websearch", config=SEARCH_CONFIG)
    assert encounter in Encounter.objects.filter(search_vector=query)


def test_each_encounter_gets_one_creation_history_row():
    generate(count=10, seed=6)
    history = Encounter.history.filter(provenance=SYNTHETIC)
    assert history.count() == 10
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    generate(count=5, seed=8, no_history=True)
    assert history.count() == 10


def test_clear_removes_all_synthetic_data_and_leaves_curated_rows(seeded):
    def curated_counts():
        return {
            model.__name__: model.objects.count()
            for model in (Encounter, Participation, Source, Quote, Person, Place, Topic)
        } | {"links": Encounter.topics.through.objects.count()}

    before = curated_counts()
    curated_slugs = set(Encounter.objects.values_list("slug", flat=True))
    generate(count=50, seed=9)
    assert Encounter.objects.count() == before["Encounter"] + 50
    # An editor makes a curated session part of a synthetic trip and tags a curated encounter
    # with a synthetic topic: removal must not delete the curated rows.
    trip = Encounter.objects.filter(provenance=SYNTHETIC).first()
    curated = Encounter.objects.get(slug="biden-xi-phone-call-2021-09-09")
    curated.parent = trip
    curated.save()
    synthetic_topic = Topic.objects.filter(slug__startswith=synthetic.PREFIX).first()
    curated.topics.add(synthetic_topic)

    call_command("clear_synthetic", verbosity=0)

    assert not Encounter.objects.filter(provenance=SYNTHETIC).exists()
    assert not Encounter.history.filter(provenance=SYNTHETIC).exists()
    assert set(Encounter.objects.values_list("slug", flat=True)) == curated_slugs
    curated.refresh_from_db()
    assert curated.parent is None
    assert list(Topic.objects.filter(slug__startswith=synthetic.PREFIX)) == [synthetic_topic]
    assert not Person.objects.filter(slug__startswith=synthetic.PREFIX).exists()
    assert not Place.objects.filter(name__endswith=synthetic.NAME_SUFFIX).exists()
    after = curated_counts()
    assert after == before | {"Topic": before["Topic"] + 1, "links": before["links"] + 1}


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError, match="--count"):
        generate(count=0)
    with pytest.raises(CommandError, match="--batch-size"):
        generate(count=5, batch_size=0)
