"""The Content-Security-Policy breaks nothing: public pages and the admin load without a single
CSP violation, and the admin's JavaScript (autocomplete, slug prepopulation) still runs."""

import pytest
from django.core.management import call_command

from engagements.infrastructure.seeding import SEED_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch(page):
    """Collect CSP violations (DOM events) and console errors for PAGE."""
    page.add_init_script(RECORD_VIOLATIONS)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def violations(page):
    return page.evaluate("window.__cspViolations")


def test_public_pages_load_without_csp_violations(page):
    call_command("load_seed", file=[SEED_FILE], verbosity=0)  # the seed only: fast
    errors = watch(page)
    for path in [
        "/",
        "/encounters/",
        "/encounters/anchorage-talks-2021-03-18/",
        "/people/",
        "/no-such-page/",
    ]:
        response = page.goto(path)
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        assert violations(page) == [], path
        # The stylesheet applied (external CSS is allowed): the header is laid out as flex.
        display = page.eval_on_selector(".site-header", "e => getComputedStyle(e).display")
        assert display == "flex", path
    assert not [e for e in errors if "Content Security Policy" in e]
    # Control: the watcher does see a violation (an image from a CDN).
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"https://cdn.example.org/x.png\">')"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert violations(page)[0].startswith("img-src https://cdn.example.org/x.png")


def test_admin_works_under_the_policy(page, admin_user):
    call_command("load_seed", file=[SEED_FILE], verbosity=0)  # the seed only: fast
    errors = watch(page)
    page.goto("/admin/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in [
        "/admin/",
        "/admin/engagements/encounter/",
        "/admin/engagements/encounter/?q=climate",
        "/admin/engagements/person/",
    ]:
        page.goto(path)
        assert violations(page) == [], path

    page.goto("/admin/engagements/encounter/add/")
    # The admin's scripts ran: autocomplete widgets are initialised (select2). The slug is not
    # prepopulated by the admin's script (it drops en dashes between words); an empty slug is
    # made from the title on save (Encounter.slug_for), so typing a title leaves it empty.
    page.wait_for_selector(".select2-container")
    page.fill("#id_title", "Blinken meets Wang Yi")
    page.locator("#id_title").dispatch_event("change")
    assert page.input_value("#id_slug") == ""
    assert violations(page) == []
    assert not [e for e in errors if "Content Security Policy" in e]
