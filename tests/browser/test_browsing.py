"""A researcher's flows in a real browser, with axe-core checking every page type on the way."""

import re

import pytest
from django.core.management import call_command

from engagements.infrastructure.seeding import SEED_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed(transactional_db):
    call_command("load_seed", file=[SEED_FILE], verbosity=0)  # the seed only: fast


@pytest.fixture
def page(page):
    """The harness's page, failing the test on a script error, a Content-Security-Policy
    refusal (no inline scripts or styles are allowed) or a missing stylesheet, script or image.
    Pages themselves may answer 400 or 404 on purpose."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    yield page
    assert not errors, errors


def test_search_narrow_open_follow_and_see_the_timeline(page, seed, assert_accessible):
    page.goto("/encounters/")
    assert_accessible(page)

    # Search.
    page.get_by_role("searchbox", name="Search").fill("climate")
    page.get_by_role("searchbox", name="Search").press("Enter")
    page.wait_for_url(re.compile(r"q=climate"))
    # Five mention climate in their text; a sixth is tagged Climate (topic names are searched).
    assert page.get_by_role("heading", name="6 encounters").is_visible()
    assert page.locator(".headline mark").first.inner_text().lower() == "climate"
    assert_accessible(page)

    # Narrow by a facet: the checkbox label carries its count.
    visits = page.get_by_role("checkbox", name=re.compile(r"^Visit \(2"))
    visits.check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url(re.compile(r"kind=visit"))
    assert page.get_by_role("heading", name="2 encounters").is_visible()
    assert page.get_by_role("link", name="Remove filter Kind: Visit").is_visible()

    # Open a result.
    page.get_by_role("link", name="Kerry climate trip to Shanghai").click()
    page.wait_for_url("**/encounters/kerry-climate-trip-shanghai-2021-04/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kerry climate trip to Shanghai"
    assert page.get_by_text("Sessions of this visit").is_visible()
    assert_accessible(page)

    # Follow a person.
    page.locator(".participants").get_by_role("link", name="Xie Zhenhua").click()
    page.wait_for_url("**/people/xie-zhenhua/")
    assert page.get_by_role("heading", name="Counterparts met most").is_visible()
    counterparts = page.locator(".counterparts")
    assert counterparts.get_by_role("link", name="John Kerry", exact=True).is_visible()
    assert_accessible(page)

    # Their encounters on the timeline, through the filter in its URL.
    page.get_by_role("link", name="On the full timeline").click()
    page.wait_for_url("**/timeline/?person=xie-zhenhua")
    marks = page.locator("svg.timeline a.mark")
    assert marks.count() == 3
    assert page.get_by_role("link", name="Remove filter People: Xie Zhenhua").is_visible()
    assert_accessible(page)
    marks.first.click()
    page.wait_for_url("**/encounters/kerry-climate-trip-shanghai-2021-04/")


def test_chips_remove_filters_and_clear_all(page, seed):
    page.goto("/encounters/?level=leader&kind=phone_call")
    assert page.get_by_role("heading", name="2 encounters").is_visible()
    page.get_by_role("link", name="Remove filter Kind: Phone call").click()
    page.wait_for_url(re.compile(r"/encounters/\?level=leader$"))
    assert page.get_by_role("heading", name="6 encounters").is_visible()
    page.get_by_role("link", name="Clear all").click()
    assert page.get_by_role("heading", name="15 encounters").is_visible()


def test_every_other_page_type_is_accessible(page, seed, assert_accessible):
    for path in [
        "/",
        "/encounters/biden-xi-phone-call-2021-09-09/",
        "/people/",
        "/topics/",
        "/topics/climate/",
        "/timeline/",
        "/encounters/?date_after=2021-02-30&kind=teleport",
    ]:
        page.goto(path)
        assert_accessible(page)


def test_bad_filters_show_the_error_beside_the_field(page, seed):
    response = page.goto("/encounters/?date_after=2021-02-30")
    assert response.status == 400
    field = page.locator("#id_date_after")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Enter a date as YYYY-MM-DD" in page.locator("#id_date_after-errors").inner_text()


def test_keyboard_only_researcher(page, seed):
    page.goto("/encounters/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    # Tick a facet and apply it with the keyboard alone.
    page.get_by_role("checkbox", name=re.compile(r"^Leader")).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"level=leader"))
    assert page.get_by_role("heading", name="6 encounters").is_visible()
    # Timeline marks are links reachable by Tab.
    page.goto("/timeline/?level=leader")
    page.locator("svg.timeline a.mark").first.focus()
    assert page.evaluate("document.activeElement.getAttribute('class')") == "mark"
    page.keyboard.press("Enter")
    page.wait_for_url("**/encounters/biden-xi-phone-call-2021-02-10/")


@pytest.mark.parametrize(
    "path",
    ["/encounters/?q=climate", "/encounters/biden-xi-phone-call-2021-09-09/", "/timeline/"],
)
def test_pages_fit_a_phone(phone_page, seed, assert_accessible, path):
    phone_page.goto(path)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide on a 375px phone"
    assert_accessible(phone_page)
