"""The encounter page: everything known about one encounter, and where it sits in time."""

import datetime

import pytest
from django.urls import reverse

from engagements.models import Encounter, Participation, Source
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def detail(client, slug):
    response = client.get(reverse("encounter-detail", args=[slug]))
    assert response.status_code == 200
    return response


def test_september_call_is_211_days_after_the_february_call(client, seeded):
    response = detail(client, "biden-xi-phone-call-2021-09-09")
    assert response.context["days_since_previous_at_level"] == 211
    assert response.context["previous_at_level"].slug == "biden-xi-phone-call-2021-02-10"
    text = response.text
    since = "<strong>At most 211 days</strong> since the previous leader-level call or meeting"
    assert since in text


def test_dates_in_both_capitals_duration_place_initiator_and_tone(client, seeded):
    text = detail(client, "biden-xi-phone-call-2021-09-09").text
    assert '<time datetime="2021-09-09">9 September 2021</time>' in text
    assert '<time datetime="2021-09-10">10 September 2021</time>' in text
    assert "1 hour 30 minutes" in text
    assert "Treaty Room, White House, Washington, US" in text
    # The initiator with the source that supports it (People's Daily: Xi "took a phone call").
    assert "<dt>Initiated by</dt><dd>United States (source: People&#x27;s Daily)</dd>" in text
    assert "Candid / frank" in text
    assert "<dt>Level</dt><dd>Leader</dd>" in text


def test_multi_day_visit_shows_its_length(client, seeded):
    text = detail(client, "kerry-climate-trip-shanghai-2021-04").text
    assert "14–17 April 2021" in text
    assert "4 days" in text


def test_month_precision_is_stated(client):
    encounter = EncounterFactory(start_date=datetime.date(2023, 6, 1), date_precision="month")
    text = detail(client, encounter.slug).text
    assert "June 2023" in text
    assert "known only to the month" in text


def test_participants_grouped_by_side_with_office_at_the_time(client):
    encounter = EncounterFactory()
    ParticipationFactory(
        encounter=encounter,
        person=PersonFactory(name="Wang Yi", name_zh="王毅", side="prc"),
        office="State Councilor and Foreign Minister",
    )
    ParticipationFactory(
        encounter=encounter,
        person=PersonFactory(name="Antony Blinken", side="us"),
        office="Secretary of State",
        role=Participation.Role.VISITOR,
    )
    response = detail(client, encounter.slug)
    sides = [(side, [p.person.name for p in people]) for side, people in response.context["sides"]]
    assert sides == [
        ("United States", ["Antony Blinken"]),
        ("People's Republic of China", ["Wang Yi"]),
    ]
    text = response.text
    assert text.index("United States</h3>") < text.index("Secretary of State")
    assert text.index("People&#x27;s Republic of China</h3>") < text.index("State Councilor")
    assert '<span lang="zh">王毅</span>' in text


def test_official_readouts_side_by_side_when_both_exist(client):
    encounter = EncounterFactory()
    SourceFactory(encounter=encounter, kind=Source.Kind.US_READOUT, outlet="White House")
    SourceFactory(encounter=encounter, kind=Source.Kind.PRC_READOUT, outlet="MFA of the PRC")
    SourceFactory(encounter=encounter, kind=Source.Kind.NEWS, outlet="Reuters")
    response = detail(client, encounter.slug)
    us, prc = response.context["readouts"]
    assert [s.outlet for s in us] == ["White House"]
    assert [s.outlet for s in prc] == ["MFA of the PRC"]
    assert [label for label, _ in response.context["source_groups"]] == ["News report"]
    assert '<div class="readouts">' in response.text
    assert "News reports</h3>" not in response.text and "News report</h3>" in response.text


def test_one_readout_alone_is_listed_with_its_kind(client, seeded):
    response = detail(client, "kerry-climate-trip-tianjin-2021-08")
    assert response.context["readouts"] is None
    labels = [label for label, _ in response.context["source_groups"]]
    assert labels == ["US official readout", "News report"]


def test_quotes_with_speaker_and_source(client):
    encounter = EncounterFactory()
    source = SourceFactory(encounter=encounter, outlet="CBS News")
    speaker = PersonFactory(name="Jake Sullivan")
    QuoteFactory(encounter=encounter, text="Guardrails.", speaker=speaker, source=source)
    QuoteFactory(encounter=encounter, text="Frank.", speaker_description="a senior official")
    text = detail(client, encounter.slug).text
    assert f'<a href="{speaker.get_absolute_url()}">Jake Sullivan</a>' in text
    assert f'reported by <a href="{source.url}">CBS News</a>' in text
    assert "— a senior official" in text


def test_trip_lists_its_sessions_and_a_session_links_its_trip(client, seeded):
    trip = detail(client, "sherman-visit-tianjin-2021-07")
    sessions = [s.slug for s in trip.context["encounter"].published_sessions]
    assert sessions == ["sherman-xie-feng-talks-2021-07-26", "sherman-wang-yi-meeting-2021-07-26"]
    session = detail(client, "sherman-wang-yi-meeting-2021-07-26")
    assert '<dt>Part of</dt><dd><a href="/encounters/sherman-visit-tianjin-2021-07/">' in (
        session.text
    )


def test_draft_sessions_and_neighbours_stay_hidden(client):
    trip = EncounterFactory(start_date=datetime.date(2022, 3, 1), kind="visit")
    EncounterFactory(
        title="Hidden session",
        parent=trip,
        status=Encounter.Status.DRAFT,
        published_at=None,
        start_date=datetime.date(2022, 3, 2),
    )
    response = detail(client, trip.slug)
    assert "Hidden session" not in response.text
    assert response.context["next"] is None


def test_previous_and_next_in_time(client, seeded):
    response = detail(client, "biden-xi-phone-call-2021-09-09")
    assert response.context["previous"].slug == "kerry-han-zheng-video-call-2021-09-02"
    assert response.context["next"].slug == "biden-xi-virtual-summit-2021-11-15"
    assert 'rel="prev" href="/encounters/kerry-han-zheng-video-call-2021-09-02/"' in response.text


def test_a_session_does_not_count_its_own_trip_as_the_previous_encounter(client, seeded):
    response = detail(client, "kerry-xie-climate-talks-shanghai-2021-04-15")
    assert response.context["previous_at_level"] is None
    assert "not counted at the special envoy or ambassador level" in response.text


def test_citation_with_the_permanent_link(client, seeded):
    text = detail(client, "biden-xi-phone-call-2021-09-09").text
    link = "http://testserver/encounters/biden-xi-phone-call-2021-09-09/"
    assert "“Biden–Xi phone call” (9 September 2021). US–China Engagement Tracker." in text
    assert f'<a href="{link}">{link}</a>' in text
    assert f'<link rel="canonical" href="{link}">' in text


def test_markdown_outcomes_rendered_safely(client):
    encounter = EncounterFactory(outcomes="- *Agreed* <img src=x onerror=alert(1)>")
    text = detail(client, encounter.slug).text
    assert "<li><em>Agreed</em>" in text
    assert "onerror" not in text
