"""The record index (engagements/domain/record_index.py) gives exactly what PostgreSQL counts.

Every page below is rendered twice, counted in PostgreSQL (RECORD_INDEX = "off") and from the
index built inside the request ("inline"), and the two must agree in every facet count, the
total, the page's rows in order, and the timeline's every mark. The URLs are the benchmark's
research mix over a generated record with drafts, plus the cases the mix may miss.
"""

import threading

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction

from bench.mix import mix_urls
from engagements.domain import record_index, timeline
from engagements.infrastructure.derived import data_version
from engagements.models import Encounter, Person, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(db):
    call_command("generate_encounters", count=300, seed=11, no_history=True, verbosity=0)
    drafts = Encounter.objects.order_by("id").values_list("id", flat=True)[:30]
    Encounter.objects.filter(id__in=list(drafts)).update(status="draft", published_at=None)
    record_index.forget()
    yield
    record_index.forget()


def render(client, settings, url, mode):
    settings.RECORD_INDEX = mode
    cache.clear()
    response = client.get(url)
    context = response.context
    shown = {"status": response.status_code}
    if response.status_code == 404:  # a page past the end: no counts shown
        return shown, False
    shown.update(facets=context.get("facets"), timeline=context.get("timeline"))
    if context.get("page_obj") is not None:
        shown["count"] = context["paginator"].count
        shown["rows"] = [encounter.pk for encounter in context["page_obj"]]
    used = getattr(context["view"].filterset, "_record_index", None) is not None
    return shown, used


def assert_same_both_ways(client, settings, url):
    counted, used = render(client, settings, url, "off")
    assert not used
    indexed, used = render(client, settings, url, "inline")
    assert indexed == counted, url
    return counted, used


def busiest(model):
    return model.objects.with_published_counts().order_by("-encounter_count", "slug")[0].slug


EDGE_CASES = [
    "/encounters/",
    "/encounters/?q=trade",
    "/encounters/?q=trade&sort=relevance&page=2",
    "/encounters/?q=trade%20-climate&level=leader&level=cabinet",
    "/encounters/?q=nothingmatchesthis",
    "/encounters/?country=CN",
    "/encounters/?country=CN&level=leader&kind=meeting&kind=phone_call",
    "/encounters/?date_after=2015-01-01&initiated_by=us",
    "/encounters/?date_before=2100-01-01&venue=us&venue=china",
    "/encounters/?topic={topic}",
    "/encounters/?person={person}&sort=date",
    "/encounters/?person={person}&topic={topic}",
    "/timeline/?q=trade",
    "/timeline/?q=trade&lanes=kind",
    "/timeline/?date_after=2010-01-01&kind=visit",
    "/encounters/?level=nonsense",
]


@pytest.mark.parametrize("url", EDGE_CASES)
def test_counted_from_the_index_as_in_postgresql(client, settings, generated, url):
    url = url.format(topic=busiest(Topic), person=busiest(Person))
    counted, used = assert_same_both_ways(client, settings, url)
    if counted["status"] == 200 and url != "/encounters/":
        assert used, "the inline index was not used"


def test_the_research_mix_is_counted_the_same_both_ways(client, settings, generated):
    urls = mix_urls(60, seed=5)
    used = 0
    for url in urls:
        counted, was_used = assert_same_both_ways(client, settings, url)
        used += was_used
    # Most of the mix counts a filtered set: the index must have done it.
    assert used > 30


def test_timeline_period_marks_from_the_index(client, settings, generated, monkeypatch):
    # Few enough encounters draw one mark each; make the timeline aggregate by period.
    monkeypatch.setattr(timeline, "MAX_MARKS", 5)
    counted, used = assert_same_both_ways(client, settings, "/timeline/?date_after=2005-01-01")
    assert used and counted["timeline"].period


def test_an_edit_is_counted_at_once(client, settings, generated):
    settings.RECORD_INDEX = "inline"
    url = "/encounters/?q=trade"
    before, _ = render(client, settings, url, "inline")
    draft = Encounter.objects.filter(status="draft").first()
    draft.summary = f"{draft.summary} A trade agreement."
    draft.save()
    draft.publish(by=None)
    after, used = render(client, settings, url, "inline")
    assert used
    assert after["count"] == before["count"] + 1
    counted, _ = render(client, settings, url, "off")
    assert after == counted


def test_index_holds_only_published_encounters(generated):
    index = record_index.build(connection.alias)
    published = set(Encounter.objects.published().values_list("id", flat=True))
    assert set(index.ids.tolist()) == published
    assert index.version == data_version()
    draft = Encounter.objects.filter(status="draft").values_list("id", flat=True).first()
    # A set with a draft in it is not the index's to count.
    assert index.positions([draft]) is None


@pytest.mark.django_db(transaction=True)
def test_background_index_is_used_only_at_its_own_version(client, settings):
    call_command("generate_encounters", count=60, seed=3, no_history=True, verbosity=0)
    record_index.forget()
    settings.RECORD_INDEX = "background"
    url = "/encounters/?level=leader&level=cabinet"
    try:
        _, used = render(client, settings, url, "background")
        assert not used  # the first request of a version counts in PostgreSQL...
        record_index.wait_for_build()
        shown, used = render(client, settings, url, "background")
        assert used  # ...and later ones read the index the thread built
        with transaction.atomic():
            encounter = Encounter.objects.published().filter(level="leader").first()
            encounter.unpublish(by=None)
        fresh, used = render(client, settings, url, "background")
        assert not used  # a write made the index stale: never read at an older version
        assert fresh["count"] == shown["count"] - 1
        record_index.wait_for_build()
        again, used = render(client, settings, url, "background")
        assert used and again == fresh
    finally:
        record_index.wait_for_build()
        record_index.forget()


def test_one_build_at_a_time(settings, generated, monkeypatch):
    settings.RECORD_INDEX = "background"
    started = []
    release = threading.Event()
    original = record_index.build_in_background

    def slow(alias):
        started.append(alias)
        release.wait(5)
        return original(alias)

    monkeypatch.setattr(record_index, "build_in_background", slow)
    record_index.start_building("default")
    record_index.start_building("default")
    release.set()
    record_index.wait_for_build()
    assert started == ["default"]
    assert record_index._indexes["default"].size == 0  # built from what is committed: nothing
