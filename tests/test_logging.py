"""Logs: JSON lines with the request id, and nothing secret or personal in them."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from engagements.infrastructure.logs import JsonFormatter, RequestIdFilter, mask_secrets


@pytest.fixture
def log_lines():
    """Everything logged during the test, formatted as settings.LOGGING formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_every_request_gets_an_id_in_its_response_and_log_line(client, log_lines):
    response = client.get("/encounters/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = [line for line in log_lines() if line["logger"] == "engagements.access"]
    assert line["request_id"] == request_id
    assert line["method"] == "GET"
    assert line["path"] == "/encounters/"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_an_incoming_request_id_is_kept(client, log_lines):
    response = client.get("/people/", headers={"x-request-id": "edge-7f3a.42"})
    assert response["X-Request-ID"] == "edge-7f3a.42"
    assert {line["request_id"] for line in log_lines()} == {"edge-7f3a.42"}


@pytest.mark.parametrize("bad", ["a b", "x" * 200, 'x"}\n{"level":"ERROR"', ""])
def test_a_malformed_request_id_is_replaced(client, bad):
    response = client.get("/healthz", headers={"x-request-id": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_health_checks_stay_out_of_the_access_log(client, log_lines):
    client.get("/healthz")
    assert log_lines() == []


@pytest.mark.django_db
def test_no_passwords_cookies_or_query_strings_in_the_logs(log_lines, django_user_model):
    django_user_model.objects.create_user("ada", password="correct-horse-battery", is_staff=True)
    client = Client(raise_request_exception=False)
    client.get("/encounters/?q=private-research-topic&email=ada%40example.org")
    client.post("/admin/login/", {"username": "ada", "password": "hunter2-secret"})
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "ada", "password": "correct-horse-battery"},
    )
    session_id = client.cookies["sessionid"].value
    client.get("/admin/")  # logged in: the session cookie travels
    logging.getLogger("engagements").error(
        "could not connect to postgres://app:db-password-123@db:5432/engagements"
    )
    text = "\n".join(json.dumps(line) for line in log_lines())
    assert "/encounters/" in text and "/admin/login/" in text
    for secret in [
        "private-research-topic",
        "ada%40example.org",
        "ada@example.org",
        "hunter2-secret",
        "correct-horse-battery",
        "db-password-123",
        session_id,
        "csrftoken",
    ]:
        assert secret not in text, secret


def test_masking_covers_urls_and_key_value_pairs():
    assert mask_secrets("postgres://u:pw@h/db") == "postgres://u:***@h/db"
    assert mask_secrets("host=db password=pw user=u") == "host=db password=*** user=u"


def test_exceptions_are_one_json_line(log_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("engagements").exception("it failed")
    [line] = log_lines()
    assert line["message"] == "it failed"
    assert "ValueError: boom" in line["exception"]
