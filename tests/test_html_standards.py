"""Every public page type is valid HTML, as the W3C Nu HTML checker reads it.

The checker is the `vnu-jar` npm package (package.json; `make test` installs it with npm ci) run
with the system Java (deploy/system-deps.sh installs one when missing). All pages are checked in
one run of the checker, so the JVM starts once.
"""

import json
import subprocess

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from engagements.infrastructure import errors
from engagements.models import Encounter, Person, Topic
from tests.factories import EncounterFactory, SourceFactory

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.django_db


def with_change_log():
    """A published encounter corrected since it was published: its page shows a change log."""
    encounter = Encounter.objects.published().filter(quotes__isnull=False).first()
    encounter.summary += " Both sides agreed to meet again."
    encounter._change_reason = "Added the follow-up meeting."
    # The public change log shows what a signed-in editor changed, not how a loader built it.
    encounter._history_user = get_user_model().objects.create_user("html-check-editor")
    encounter.save()
    SourceFactory(encounter=encounter)
    return encounter


def removed_encounter_url():
    """The address of a published encounter since deleted (it answers 410 Gone)."""
    gone = EncounterFactory(title="Removed for the check")
    url = gone.get_absolute_url()
    gone.delete()
    return url


def public_pages(client):
    """(name, HTML) of every public page type, including the error pages."""
    encounter = with_change_log()
    person = Person.objects.with_published_counts().first()
    topic = Topic.objects.with_published_counts().filter(encounter_count__gt=0).first()
    urls = {
        "home": "/",
        "list": "/encounters/",
        "list-search": "/encounters/?q=climate",
        "list-errors": "/encounters/?date_after=2021-02-30&kind=bogus",
        "detail": encounter.get_absolute_url(),
        "timeline": "/timeline/",
        "people": "/people/",
        "person": person.get_absolute_url(),
        "topics": "/topics/",
        "topic": topic.get_absolute_url(),
        "about": "/about/",
        "list-table": "/encounters/?view=table",
        "list-add-by-name": "/encounters/?add_person=a",
        "report-error": reverse("encounter-report-error", args=[encounter.slug]),
        "410": removed_encounter_url(),
        "404": "/no-such-page/",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code in (200, 400, 404, 410), (name, response.status_code)
        pages[name] = response.content
    assert b"change-log-entries" in pages["detail"]
    request = RequestFactory().get("/")
    pages["400"] = defaults.bad_request(request, ValueError()).content
    pages["403"] = defaults.permission_denied(request, PermissionError()).content
    pages["500"] = errors.server_error(request).content
    pages["503"] = errors.service_unavailable(request).content
    return pages


def nu_check(paths):
    """The checker's error messages for these files (its JSON report goes to stderr)."""
    assert VNU.exists(), f"{VNU} is missing: run `make browser-deps` (npm ci)."
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    return [m for m in messages if m["type"] in ("error", "non-document-error")]


def test_every_public_page_type_is_valid_html(client, seeded, tmp_path):
    paths = []
    for name, html in public_pages(client).items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(html)
        paths.append(path)
    problems = [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine')}: {message['message']}"
        for message in nu_check(paths)
    ]
    assert not problems, "\n".join(problems)


def test_the_checker_finds_errors(tmp_path):
    """The check above would fail on an invalid page, e.g. a six-digit fraction of a second."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>t</title>'
        '<time datetime="2024-01-05T10:00:00.123456+00:00">5 January</time></html>'
    )
    assert any("datetime" in message["message"] for message in nu_check([page]))
