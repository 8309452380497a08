"""Citations: BibTeX, RIS and CSL-JSON downloads of one encounter, linked from its page."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.models import Encounter
from tests.factories import EncounterFactory, PlaceFactory, TopicFactory

pytestmark = pytest.mark.django_db

SLUG = "biden-xi-phone-call-2021-09-09"
PERMANENT_URL = f"http://testserver/encounters/{SLUG}/"

# Variables of csl-data.json (CSL 1.0.2 schema), the ones a "webpage" item may carry here.
CSL_KEYS = {
    "id", "type", "title", "author", "container-title", "publisher", "issued", "accessed",
    "event-date", "event-place", "URL", "abstract", "keyword",
}  # fmt: skip
CSL_DATE_KEYS = {"issued", "accessed", "event-date"}


def cite(client, slug, extension):
    return client.get(reverse("encounter-cite", args=[slug, extension]))


def parse_bibtex(text):
    """A strict little reader for the entries we write: type, key and {braced} fields."""
    match = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\n\}\n", text, re.S)
    assert match, text
    entry_type, key, body = match.groups()
    fields = {}
    for line in body.split(",\n"):
        name, value = re.fullmatch(r"  (\w+) = \{(.*)\}", line, re.S).groups()
        depth = 0
        for char in re.sub(r"\\[{}]", "", value):  # braces balance inside every value
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, line
        assert depth == 0, line
        fields[name] = value
    return entry_type, key, fields


def test_bibtex_has_title_url_and_access_date(client, seeded):
    response = cite(client, SLUG, "bib")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert f'filename="{SLUG}.bib"' in response["Content-Disposition"]
    entry_type, key, fields = parse_bibtex(response.content.decode())
    assert (entry_type, key) == ("online", SLUG)
    assert fields["title"] == "{Biden–Xi phone call, 9 September 2021}"
    assert fields["author"] == "{US–China Engagement Tracker}"
    assert fields["url"] == PERMANENT_URL
    assert fields["urldate"] == timezone.localdate().isoformat()
    assert fields["eventdate"] == "2021-09-09"
    assert "Treaty Room" in fields["venue"]
    assert "Environment and climate" in fields["keywords"]
    assert re.fullmatch(r"\d{4}", fields["year"])


def test_bibtex_escapes_tex_specials(client):
    encounter = EncounterFactory(title="Talks on 5% tariffs & R_D {draft}")
    _, _, fields = parse_bibtex(cite(client, encounter.slug, "bib").content.decode())
    assert r"5\% tariffs \& R\_D \{draft\}" in fields["title"]


def test_ris_tags(client, seeded):
    response = cite(client, SLUG, "ris")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "TY  - ELEC"
    assert lines[-2:] == ["ER  - ", ""]
    tags = {}
    for line in lines[:-1]:
        tag, value = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line).groups()
        tags.setdefault(tag, []).append(value)
    assert tags["TI"] == ["Biden–Xi phone call, 9 September 2021"]
    assert tags["UR"] == [PERMANENT_URL]
    assert tags["Y2"] == [timezone.localdate().strftime("%Y/%m/%d")]
    assert "Environment and climate" in tags["KW"]
    assert tags["AB"][0].startswith("Biden placed the call from the residence")


def test_csl_json_is_an_array_of_one_webpage(client, seeded):
    response = cite(client, SLUG, "json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    (item,) = json.loads(response.content)
    assert set(item) <= CSL_KEYS
    assert item["id"] == SLUG
    assert item["type"] == "webpage"
    assert item["URL"] == PERMANENT_URL
    assert item["title"] == "Biden–Xi phone call, 9 September 2021"
    assert item["author"] == [{"literal": "US–China Engagement Tracker"}]
    today = timezone.localdate()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert item["event-date"] == {"date-parts": [[2021, 9, 9]]}
    for key in CSL_DATE_KEYS:
        for part in item[key]["date-parts"]:
            assert all(isinstance(number, int) for number in part)


def test_csl_json_keeps_a_multi_day_range_and_chinese_text(client):
    encounter = EncounterFactory(
        title="访问 visit",
        start_date=datetime.date(2023, 6, 18),
        end_date=datetime.date(2023, 6, 19),
        place=PlaceFactory(name="Diaoyutai"),
    )
    encounter.topics.add(TopicFactory(name="Climate", slug="climate"))
    (item,) = json.loads(cite(client, encounter.slug, "json").content.decode("utf-8"))
    assert item["title"].startswith("访问 visit")
    assert item["event-date"] == {"date-parts": [[2023, 6, 18], [2023, 6, 19]]}
    assert item["event-place"].startswith("Diaoyutai")


def test_drafts_and_unknown_formats_have_no_citation(client):
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None)
    for extension in ("bib", "ris", "json"):
        assert cite(client, draft.slug, extension).status_code == 404
    published = EncounterFactory()
    assert client.get(f"/encounters/{published.slug}/cite.docx").status_code == 404


def test_detail_page_links_to_citations(client, seeded):
    text = client.get(reverse("encounter-detail", args=[SLUG])).text
    assert f'<a href="{PERMANENT_URL}">{PERMANENT_URL}</a>' in text
    for extension in ("bib", "ris", "json"):
        assert f'href="/encounters/{SLUG}/cite.{extension}"' in text
