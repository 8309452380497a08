"""The read-only research API: /api/v1/, its OpenAPI schema and its docs."""

import io
import re
import runpy

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from engagements.models import Encounter
from engagements.surfaces.api import MAX_REQUEST_LINE
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/encounters/"


def html_list_slugs(client, params):
    """Every slug the HTML list shows for params, page after page."""
    slugs, page = [], 1
    while True:
        response = client.get(reverse("encounter-list"), {**params, "page": page})
        assert response.status_code == 200
        slugs += [encounter.slug for encounter in response.context["encounters"]]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


def api_list_slugs(client, params):
    slugs, url = [], LIST
    response = client.get(url, {**params, "page_size": 4})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        slugs += [row["slug"] for row in body["results"]]
        if not body["next"]:
            return slugs
        response = client.get(body["next"])  # a full URL that keeps every filter


FILTERS = [
    {},
    {"topic": "climate"},
    {"level": "leader"},
    {"level": ["leader", "cabinet"], "sort": "date"},
    {"person": "john-kerry"},
    {"q": "climate", "sort": "relevance"},
    {"date_after": "2021-07-01", "date_before": "2021-12-31"},
    {"country": "cn", "kind": "talks"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_api_list_matches_html_list(client, seeded, params):
    expected = html_list_slugs(client, params)
    assert api_list_slugs(client, params) == expected
    if params:
        assert len(expected) < Encounter.objects.count()  # the filter really narrows


def test_bad_parameters_are_400_naming_the_field(client, seeded):
    response = client.get(LIST, {"date_after": "last tuesday", "level": "emperor"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"date_after", "level"}
    assert "YYYY-MM-DD" in body["date_after"][0]
    assert client.get(LIST, {"sort": "date,-date"}).json().keys() == {"sort"}


def openapi(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_what_the_schema_cannot_say_is_answered_as_it_documents(client, seeded):
    """Unknown slugs are a 404, a backwards date range is empty, a bad value beside them a 400."""
    for params in ({"person": "nobody-at-all"}, {"topic": ["climate", "no-such-topic"]}):
        response = client.get(LIST, params)
        assert response.status_code == 404, params
        assert "No such" in response.json()["detail"]
    response = client.get(LIST, {"person": "nobody-at-all", "level": "emperor"})
    assert response.status_code == 400 and set(response.json()) == {"person", "level"}
    response = client.get(LIST, {"date_after": "2022-01-01", "date_before": "2021-01-01"})
    assert response.status_code == 200 and response.json()["count"] == 0
    # Found by the schema fuzzer: a backwards range beside an unknown slug is still the 404.
    backwards_and_unknown = {"date_after": "3458-08-16", "date_before": "0059-05-28", "topic": "d"}
    assert client.get(LIST, backwards_and_unknown).status_code == 404
    response = client.get(LIST, {"q": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.json()["q"][0]
    operation = openapi(client)["paths"]["/api/v1/encounters/"]
    parameters = {p["name"]: p for p in operation["get"]["parameters"]}
    assert parameters["country"]["schema"]["pattern"] == "^[A-Za-z]{2}$"
    assert parameters["q"]["schema"]["pattern"] == "^[^\\x00]*$"
    assert parameters["sort"]["schema"]["enum"] == ["-date", "date", "relevance"]
    assert {"400", "404", "414"} <= set(operation["get"]["responses"])


def test_local_start_time_is_declared_as_the_wall_clock_time_it_is(client, seeded):
    schema = openapi(client)
    declared = schema["components"]["schemas"]["Encounter"]["properties"]["local_start_time"]
    assert "format" not in declared and declared["pattern"].startswith("^")
    encounter = Encounter.objects.published().exclude(local_start_time=None).first()
    body = client.get(f"/api/v1/encounters/{encounter.slug}/").json()
    assert re.fullmatch(declared["pattern"], body["local_start_time"])


def test_gunicorn_refuses_the_request_lines_the_schema_documents():
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["limit_request_line"] == MAX_REQUEST_LINE


def test_page_past_the_end_is_404_json(client, seeded):
    response = client.get(LIST, {"page": 999})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_encounter_detail_nests_everything(client, seeded):
    response = client.get(f"{LIST}biden-xi-phone-call-2021-09-09/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Biden–Xi phone call"
    assert body["html_url"] == "http://testserver/encounters/biden-xi-phone-call-2021-09-09/"
    people = {p["person"]["name"]: p for p in body["participants"]}
    assert people["Xi Jinping"]["person"]["name_zh"] == "习近平"
    assert people["Xi Jinping"]["office"] == "President of the People's Republic of China"
    assert body["place"]["name"] == "Treaty Room, White House"
    assert {t["slug"] for t in body["topics"]} >= {"climate"}
    assert any(s["outlet"] == "CBS News" for s in body["sources"])
    quote = next(q for q in body["quotes"] if q["text"] == "unfruitful")
    assert quote["speaker_description"] == "the official"  # as CBS News attributes it
    assert body["citations"]["bibtex"].endswith("/cite.bib")
    assert body["beijing_date"] == "2021-09-10"


def test_drafts_never_appear(client):
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None, slug="secret")
    place = PlaceFactory(name="Hidden venue")
    draft.place = place
    draft.save()
    topic = TopicFactory(name="Secret topic", slug="secret-topic")
    draft.topics.add(topic)
    person = ParticipationFactory(encounter=draft).person
    published = EncounterFactory(slug="public", parent=draft)
    everything = "".join(
        client.get(url).content.decode()
        for url in (LIST, "/api/v1/people/", "/api/v1/places/", f"{LIST}public/")
    )
    assert "secret" not in everything and "Hidden venue" not in everything
    assert person.slug not in everything
    assert client.get(f"{LIST}secret/").status_code == 404
    assert client.get(f"/api/v1/people/{person.slug}/").status_code == 404
    assert client.get(f"/api/v1/places/{place.pk}/").status_code == 404
    # A topic known only from drafts is as unknown as a slug never used (no enumeration).
    assert client.get("/api/v1/topics/secret-topic/").status_code == 404
    assert "secret" not in client.get("/api/v1/topics/").content.decode()
    drafts_only = client.get(LIST, {"topic": "secret-topic"})
    never_used = client.get(LIST, {"topic": "never-used"})
    assert drafts_only.status_code == never_used.status_code == 404
    assert drafts_only.json() == never_used.json()
    assert client.get(f"{LIST}public/").json()["parent"] is None
    assert published.parent == draft


def test_people_places_topics(client, seeded):
    people = client.get("/api/v1/people/", {"side": "prc", "page_size": 100}).json()
    xi = next(p for p in people["results"] if p["slug"] == "xi-jinping")
    assert xi["name_zh"] == "习近平" and xi["encounter_count"] >= 5
    assert xi["encounters_url"] == "http://testserver/api/v1/encounters/?person=xi-jinping"
    assert all(p["side"] == "prc" for p in people["results"])
    assert client.get("/api/v1/people/", {"side": "mars"}).status_code == 400
    places = client.get("/api/v1/places/", {"country": "CN"}).json()["results"]
    assert places and all(p["country"] == "CN" for p in places)
    assert isinstance(places[0]["latitude"], float)
    climate = client.get("/api/v1/topics/climate/").json()
    assert climate["encounter_count"] == client.get(LIST, {"topic": "climate"}).json()["count"]


def test_api_is_read_only(client, seeded):
    assert client.post(LIST, {}, content_type="application/json").status_code == 405
    detail = f"{LIST}biden-xi-phone-call-2021-09-09/"
    assert client.delete(detail).status_code == 405
    assert client.put(detail, {}, content_type="application/json").status_code == 405


def test_list_and_detail_query_counts_are_bounded(client, django_assert_max_num_queries):
    for _ in range(25):
        encounter = EncounterFactory(place=PlaceFactory())
        encounter.topics.add(TopicFactory())
        ParticipationFactory(encounter=encounter)
        ParticipationFactory(encounter=encounter, person=PersonFactory(side="prc"))
        SourceFactory(encounter=encounter)
        QuoteFactory(encounter=encounter)
    with django_assert_max_num_queries(6):
        assert client.get(LIST, {"page_size": 25}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"{LIST}{encounter.slug}/").status_code == 200
    for url in ("/api/v1/people/", "/api/v1/places/", "/api/v1/topics/"):
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/encounters/", "/api/v1/encounters/{slug}/"} <= set(document["paths"])
    parameters = {p["name"] for p in document["paths"]["/api/v1/encounters/"]["get"]["parameters"]}
    assert {"q", "topic", "level", "person", "date_after", "sort", "page"} <= parameters
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html and "<style>" not in html  # CSP: no inline code
    assert "https://" not in html  # nothing from a CDN
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


def test_any_other_api_url_is_a_json_404(client):
    for path in ("/api/v1/nothing/", "/api/v1/people/a.b/", "/api/v1/people/a%0Ab/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
    assert client.get("/api/v1/encounters").status_code == 301  # APPEND_SLASH still works


def test_schema_generates_without_warnings_and_validates():
    output = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=output)
    assert "/api/v1/encounters/{slug}/" in output.getvalue()


def test_detail_carries_each_readouts_record_and_text_as_the_schema_declares(client):
    encounter = EncounterFactory()
    SourceFactory(
        encounter=encounter, kind="prc_readout", issuer="prc_mfa", language="zh",
        outlet="Ministry of Foreign Affairs of the PRC", title="习近平同拜登通电话",
        text="国家主席习近平应约同美国总统拜登通电话。", text_is_excerpt=True,
        issued_on="2021-09-10", issued_time="08:30", issued_time_zone="Asia/Shanghai",
        copy_outlet="China Daily", copy_url="https://www.chinadaily.com.cn/x.html",
    )  # fmt: skip
    SourceFactory(encounter=encounter, kind="news", outlet="Reuters")
    body = client.get(f"{LIST}{encounter.slug}/").json()
    readout = next(s for s in body["sources"] if s["kind"] == "prc_readout")
    assert readout | {"url": None} == readout | {
        "side": "prc",
        "issuer": "prc_mfa",
        "language": "zh",
        "text": "国家主席习近平应约同美国总统拜登通电话。",
        "text_is_excerpt": True,
        "issued_on": "2021-09-10",
        "issued_time": "08:30:00",
        "issued_time_zone": "Asia/Shanghai",
        "copy_outlet": "China Daily",
        "copy_url": "https://www.chinadaily.com.cn/x.html",
        "url": None,
    }
    news = next(s for s in body["sources"] if s["kind"] == "news")
    assert (news["side"], news["text"], news["issued_on"]) == ("", "", None)
    declared = openapi(client)["components"]["schemas"]["Source"]["properties"]
    assert list(declared) == list(readout)
