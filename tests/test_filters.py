"""The public URL contract (domain/filters.py), through filter_encounters and the list."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from engagements.domain.filters import EncounterFilterSet, filter_encounters
from engagements.models import Encounter
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("encounter-list")


def slugs(params):
    filterset, queryset = filter_encounters(QueryDict(params))
    assert filterset.is_valid(), filterset.errors
    return [encounter.slug for encounter in queryset]


# -- full text --------------------------------------------------------------------------------


def test_search_uses_websearch_syntax(seeded):
    climate = slugs("q=climate")
    assert "kerry-climate-trip-shanghai-2021-04" in climate
    assert "kerry-climate-trip-tianjin-2021-08" in climate
    without_tianjin = slugs("q=climate -Tianjin")
    assert "kerry-climate-trip-shanghai-2021-04" in without_tianjin
    assert not [slug for slug in without_tianjin if "tianjin" in slug]
    assert slugs('q="joint statement on addressing the climate crisis"') == [
        "kerry-climate-trip-shanghai-2021-04"
    ]


def test_search_excludes_a_word():
    EncounterFactory(slug="kerry", title="Climate call", summary="Kerry and Xie spoke.")
    EncounterFactory(slug="other", title="Climate talks", summary="Working level.")
    assert set(slugs("q=climate")) == {"kerry", "other"}
    assert slugs("q=climate -Kerry") == ["other"]


def test_search_finds_participant_names_in_latin_letters_and_chinese(seeded):
    assert "kerry-climate-trip-shanghai-2021-04" in slugs("q=Xie Zhenhua")
    assert "kerry-climate-trip-shanghai-2021-04" in slugs("q=解振华")
    assert "kerry-climate-trip-shanghai-2021-04" not in slugs("q=习近平")
    assert "biden-xi-phone-call-2021-09-09" in slugs("q=习近平")


def test_search_finds_quotes_and_places(seeded):
    assert slugs('q="trying to see if we\'ll blink"') == ["biden-xi-phone-call-2021-09-09"]
    assert "anchorage-talks-2021-03-18" in slugs("q=Anchorage")


def test_search_with_relevance_ranks_title_matches_first():
    EncounterFactory(slug="summary-only", title="Call", summary="Talked about fentanyl.")
    EncounterFactory(slug="in-title", title="Fentanyl working group", summary="Met.")
    assert slugs("q=fentanyl") == ["in-title", "summary-only"]  # relevance is the default
    assert slugs("q=fentanyl&sort=date")[0] == "summary-only"


# -- choices ----------------------------------------------------------------------------------


def test_kind_level_venue_repeat_as_any_of():
    EncounterFactory(slug="call", kind="phone_call", level="leader", venue="remote")
    EncounterFactory(slug="visit", kind="visit", level="cabinet", venue="prc")
    EncounterFactory(slug="talks", kind="talks", level="cabinet", venue="us")
    assert set(slugs("kind=phone_call&kind=visit")) == {"call", "visit"}
    assert set(slugs("level=cabinet")) == {"visit", "talks"}
    assert set(slugs("venue=us&venue=remote")) == {"call", "talks"}
    assert slugs("level=cabinet&venue=prc") == ["visit"]


def test_person_repeats_as_all_of():
    biden, xi, blinken = PersonFactory(slug="biden"), PersonFactory(slug="xi"), PersonFactory()
    both = EncounterFactory(slug="both")
    for person in (biden, xi, blinken):
        ParticipationFactory(encounter=both, person=person)
    only_biden = EncounterFactory(slug="only-biden")
    ParticipationFactory(encounter=only_biden, person=biden)
    assert set(slugs("person=biden")) == {"both", "only-biden"}
    assert slugs("person=biden&person=xi") == ["both"]


def test_topic_repeats_as_all_of():
    climate, taiwan = TopicFactory(slug="climate"), TopicFactory(slug="taiwan")
    EncounterFactory(slug="climate-only").topics.set([climate])
    EncounterFactory(slug="both").topics.set([climate, taiwan])
    assert set(slugs("topic=climate")) == {"climate-only", "both"}
    assert slugs("topic=climate&topic=taiwan") == ["both"]


def test_country_initiator_and_provenance():
    EncounterFactory(
        slug="lima", place=PlaceFactory(country="PE"), initiated_by="prc", provenance="curated"
    )
    EncounterFactory(
        slug="hsg", place=PlaceFactory(country="CN"), initiated_by="us", provenance="hsg"
    )
    EncounterFactory(slug="nowhere", provenance="synthetic")
    assert slugs("country=PE") == ["lima"]
    assert slugs("country=cn") == ["hsg"]  # codes are matched in capitals
    assert slugs("initiated_by=us") == ["hsg"]
    assert slugs("provenance=hsg") == ["hsg"]
    assert slugs("provenance=synthetic") == ["nowhere"]


def test_dates_are_inclusive_and_match_overlapping_encounters():
    EncounterFactory(
        slug="trip", start_date=datetime.date(2021, 4, 14), end_date=datetime.date(2021, 4, 17)
    )
    assert slugs("date_after=2021-04-17") == ["trip"]
    assert slugs("date_before=2021-04-14") == ["trip"]
    assert slugs("date_after=2021-04-15&date_before=2021-04-16") == ["trip"]
    assert slugs("date_after=2021-04-18") == []
    assert slugs("date_before=2021-04-13") == []


def test_sort_by_date_either_way():
    for day in (3, 1, 2):
        EncounterFactory(slug=f"day-{day}", start_date=datetime.date(2022, 5, day))
    assert slugs("") == ["day-3", "day-2", "day-1"]
    assert slugs("sort=-date") == ["day-3", "day-2", "day-1"]
    assert slugs("sort=date") == ["day-1", "day-2", "day-3"]
    assert slugs("sort=relevance") == ["day-3", "day-2", "day-1"]  # nothing to rank: newest


def test_drafts_never_pass_the_filter():
    EncounterFactory(slug="draft", status=Encounter.Status.DRAFT, published_at=None)
    EncounterFactory(slug="public")
    assert slugs("") == ["public"]
    filterset, queryset = filter_encounters(None, Encounter.objects.filter(slug="draft"))
    assert list(queryset) == []


def test_filter_encounters_reports_invalid_input_without_rows():
    EncounterFactory()
    filterset, queryset = filter_encounters(QueryDict("kind=teleportation&date_after=yesterday"))
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"kind", "date_after"}
    assert list(queryset) == []


def test_filterset_works_unbound_for_other_callers():
    EncounterFactory(slug="a")
    filterset = EncounterFilterSet(QueryDict(""), queryset=Encounter.objects.published())
    assert [e.slug for e in filterset.qs] == ["a"]


# -- the list page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_after": "2021-02-30"}, "date_after"),
        ({"date_before": "09/09/2021"}, "date_before"),
        ({"kind": "teleportation"}, "kind"),
        ({"level": ["leader", "emperor"]}, "level"),
        ({"sort": "title"}, "sort"),
        ({"person": "nobody-at-all"}, "person"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"country": "CHN"}, "country"),
        ({"country": "1!"}, "country"),
        ({"initiated_by": "mars"}, "initiated_by"),
        ({"provenance": "rumour"}, "provenance"),
        ({"date_after": "2022-01-01", "date_before": "2021-01-01"}, "date_before"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_input_is_400_with_the_error_beside_the_field(client, params, field):
    EncounterFactory(title="Should not be listed")
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'id="id_{field}-errors"' in response.text
    assert "Should not be listed" not in response.text


def test_malformed_websearch_text_never_fails(client, seeded):
    for text in ['"unclosed', "-", "!!! & | <->", "((", "the"]:
        response = client.get(LIST, {"q": text})
        assert response.status_code == 200, text


def test_list_keeps_filters_across_pages(client, settings):
    settings.PAGE_SIZE = 2
    for _ in range(5):
        EncounterFactory(level="leader")
    EncounterFactory(level="cabinet")
    response = client.get(LIST, {"level": "leader", "page": 2})
    assert response.status_code == 200
    assert response.context["paginator"].count == 5
    assert 'href="?level=leader&amp;page=3"' in response.text
    assert 'href="?level=leader&amp;page=1"' in response.text


def test_list_page_past_the_end_is_404_also_when_filtered(client):
    EncounterFactory(level="leader")
    assert client.get(LIST, {"level": "leader", "page": 2}).status_code == 404
    assert client.get(LIST, {"level": "leader", "page": 10**30}).status_code == 404


def test_error_summary_links_each_bad_field_and_repeats_what_was_given(client):
    response = client.get(LIST, {"date_after": "2021-02-30", "kind": ["visit", "bogus"]})
    assert response.status_code == 400
    text = response.text
    assert '<a href="#id_date_after">From</a> (you gave “2021-02-30”)' in text
    assert '<a href="#id_kind">Kind</a> (you gave “visit, bogus”)' in text
    assert 'id="id_kind"' in text  # the link's target: the facet group
    assert "No encounters match" not in text
