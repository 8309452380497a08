"""Inputs found by trying the site as an attacker or a clumsy user would: each gets a clear
message and the right status, never a 500."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tests.factories import EncounterFactory
from tests.test_import import PROCESS, csv_file, row, upload
from tests.test_import import people as people  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "path", ["/api/v1/encounters/%00/", "/api/v1/people/%00/", "/api/v1/topics/%00/"]
)
def test_a_nul_character_in_an_api_path_is_a_404(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_nul_character_in_a_page_path_is_a_404(anonymous):
    assert anonymous.get("/people/%00/").status_code == 404


def test_a_nul_character_in_a_parameter_is_a_400(anonymous):
    response = anonymous.get("/encounters/?q=%00")
    assert response.status_code == 400
    assert "q: Contains a NUL character" in response.text
    # The API's shape for bad parameters: {parameter: [messages]}.
    response = anonymous.get("/api/v1/encounters/?level=%05%00&q=ok")
    assert response.status_code == 400
    assert response.json() == {
        "level": ["Contains a NUL character (%00), which no parameter accepts."]
    }


@pytest.mark.parametrize(
    "path",
    [
        "/admin/engagements/encounter/?status__exact=%00",
        "/admin/autocomplete/?app_label=engagements&model_name=quote&field_name=speaker&term=%00",
    ],
)
def test_a_nul_character_in_an_admin_parameter_is_a_400(publisher_client, path):
    publisher_client.raise_request_exception = False
    assert publisher_client.get(path).status_code == 400


@pytest.mark.parametrize("size", ["%C2%B2", "%D9%A3", "1.5", "-1"])
def test_a_page_size_that_is_not_ascii_digits_is_a_400(anonymous, size):
    response = anonymous.get(f"/api/v1/encounters/?page_size={size}")
    assert response.status_code == 400
    assert "whole number" in response.json()["page_size"][0]


def confirmation(client):
    preview = upload(client, csv_file(row()))
    confirm = preview.context["confirm_form"]
    return {name: confirm[name].value() for name in confirm.fields}


def test_an_import_confirmed_twice_imports_once_and_says_so(publisher_client, people):  # noqa: F811
    data = confirmation(publisher_client)
    assert publisher_client.post(PROCESS, data).status_code == 302
    again = publisher_client.post(PROCESS, data, follow=True)
    assert again.status_code == 200
    assert "already been imported or has expired" in again.text
    from engagements.models import Encounter

    assert Encounter.objects.count() == 1


def test_an_import_confirmation_with_a_forged_file_name_imports_nothing(
    publisher_client,
    people,  # noqa: F811
):
    data = confirmation(publisher_client) | {"import_file_name": "../../../etc/passwd"}
    response = publisher_client.post(PROCESS, data, follow=True)
    assert response.status_code == 200
    assert "already been imported or has expired" in response.text
    from engagements.models import Encounter

    assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    "summary",
    [
        "Talks on `<img src=x onerror=alert(1)>` & more",
        "Talks on &lt;img src=x onerror=alert(1)&gt;",
    ],
)
def test_markup_shown_as_text_on_the_page_reaches_feed_readers_as_text(client, summary):
    # Both summaries show the markup as text on the page (a code span, an escaped entity).
    EncounterFactory(summary=summary)
    feed = ET.fromstring(client.get("/feeds/encounters.atom").content)
    summary = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.get("type") == "html"
    # What a reader renders as HTML: the markup is escaped text, not an element.
    assert "<img" not in summary.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary.text


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_a_login_with_an_unsafe_next_lands_in_the_admin(client, editor, next_url):
    response = client.post(
        "/admin/login/",
        {"username": "eddie", "password": "correct horse battery", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_principal_listed_twice_gets_a_row_message_in_editors_words(
    publisher_client,
    people,  # noqa: F811
):
    content = csv_file(
        row(principals="Antony Blinken; Wang Yi: Foreign Minister; Wang Yee"),
        row(slug="two", sources="State: https://www.state.gov/x; Again: https://www.state.gov/x"),
    )
    response = upload(publisher_client, content)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert "“Wang Yi” and “Wang Yee” are the same person (Wang Yi)" in response.text
    assert "The source URL https://www.state.gov/x is listed twice" in response.text
    assert "IntegrityError" not in response.text and "Key (" not in response.text


def test_rows_of_only_commas_are_ignored(publisher_client, people):  # noqa: F811
    content = csv_file(row()) + b",,,,,,,,,,,,,,,,,,,,\r\n,,,\r\n\r\n"
    response = upload(publisher_client, content)
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1


def test_a_file_over_the_row_limit_is_refused_with_a_message(
    publisher_client,
    people,  # noqa: F811
    settings,
):
    settings.IMPORT_MAX_ROWS = 2
    content = csv_file(*(row(slug=f"row-{n}") for n in range(3)))
    response = upload(publisher_client, content)
    assert "The file has more than 2 rows; at most 2 are imported at once" in response.text
    assert "confirm_form" not in response.context
