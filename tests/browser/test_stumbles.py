"""What researchers and editors tripped over, in a real browser: a phone reaching every year of
the timeline, the map's click on a city, page widths at 390 px, filters applied on ticking, and
the admin's add form saving the first time."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from engagements.infrastructure.seeding import SEED_FILE
from engagements.models import Encounter, Place, Side
from tests.browser.test_editorial import choose_person, log_in
from tests.conftest import make_staff
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seed(transactional_db):
    call_command("load_seed", file=[SEED_FILE], verbosity=0)
    # One encounter far back, so the timeline spans 1998 to 2024.
    nixon = PersonFactory(name="Early Principal", slug="early-principal", side=Side.US)
    early = EncounterFactory(title="Clinton visit to China", start_date=datetime.date(1998, 6, 27))
    ParticipationFactory(encounter=early, person=nixon, side=Side.US)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_every_page_type_fits_a_390px_phone(phone, seed):
    detail = Encounter.objects.get(slug="biden-xi-phone-call-2021-09-09")
    gone = EncounterFactory(title="Removed meeting")
    gone_url = gone.get_absolute_url()
    gone.delete()
    paths = [
        "/",
        "/encounters/",
        "/encounters/?view=table",
        detail.get_absolute_url(),
        f"{detail.get_absolute_url()}report/",
        gone_url,
        "/timeline/",
        "/map/",
        "/stats/",
        "/coverage/",
        "/people/",
        "/people/wang-yi/",
        "/people/network/",
        "/topics/",
        "/topics/climate/",
        "/about/",
    ]
    too_wide = {}
    for path in paths:
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert not too_wide, f"wider than 390 px: {too_wide}"
    phone.goto("/stats/")
    smallest = phone.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.bars text')].map(
            (t) => t.getBoundingClientRect().height).filter((h) => h > 0))"""
    )
    assert smallest >= 8, f"chart text is {smallest:.1f}px high on a phone"


def test_a_phone_swipes_the_timeline_to_2024_and_keeps_its_zoom(phone, seed):
    phone.goto("/timeline/")
    region = phone.locator(".timeline-scroll")
    svg = phone.locator("svg.timeline")
    start = svg.get_attribute("data-view-start")
    region.scroll_into_view_if_needed()
    box = region.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    mark_2024 = phone.locator("svg.timeline a.mark[data-day^='2024']").first
    assert mark_2024.bounding_box()["x"] > PHONE["width"]  # off screen before the swipe
    cdp = phone.context.new_cdp_session(phone)
    y = min(box["y"] + box["height"] * 0.7, PHONE["height"] - 10)
    for _ in range(3):  # three swipes from right to left, a finger as a phone sends it
        x = box["x"] + box["width"] - 10
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
        )
        for _ in range(15):
            x -= 20
            cdp.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    mark = mark_2024.bounding_box()
    assert mark["x"] >= 0 and mark["x"] + mark["width"] <= PHONE["width"], mark
    assert svg.get_attribute("data-view-start") == start  # scrolled, not panned away

    for _ in range(5):
        phone.get_by_role("button", name="Zoom in").click()
    view = (svg.get_attribute("data-view-start"), svg.get_attribute("data-view-end"))
    wanted = f"#view={view[0]},{view[1]}"
    for _ in range(50):  # the URL follows the view once the zooming stops
        if phone.evaluate("() => location.hash") == wanted:
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate("() => location.hash") == wanted
    labels = phone.locator("svg.timeline g.axis text.tick-label").evaluate_all(
        "texts => texts.map((t) => t.textContent)"
    )
    assert re.search(r"\d{4}", labels[0]), labels  # months, and the year they are in
    phone.reload()
    assert (svg.get_attribute("data-view-start"), svg.get_attribute("data-view-end")) == view


def test_band_labels_do_not_overlap(page, seed):
    page.goto("/timeline/")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('svg.timeline g.band text')]
            .filter((t) => !t.classList.contains('hidden') && t.textContent.trim())
            .map((t) => { const b = t.getBoundingClientRect(); const r = t.parentNode
              .querySelector('rect').getBoundingClientRect();
              return [b.left, b.right, b.top, r.left, r.right]; })"""
    )
    for left, right, _top, band_left, band_right in boxes:
        assert left >= band_left - 1 and right <= band_right + 1, (left, right, band_left)


def test_a_click_on_beijing_opens_beijing_not_a_hotel_in_it(page, seed):
    where = {"latitude": Decimal("39.904200"), "longitude": Decimal("116.407400")}
    beijing = Place.objects.create(name="Beijing", city="Beijing", country="CN", **where)
    hotel = Place.objects.create(name="Beijing Hotel", city="Beijing", country="CN", **where)
    for _ in range(5):
        EncounterFactory(place=beijing)
    EncounterFactory(place=hotel)
    page.goto("/map/")
    circle = page.locator(f"svg.map a[data-place='{beijing.pk}'] circle:not(.hit)")
    box = circle.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(rf"place={beijing.pk}\b"))


def test_ticking_a_box_applies_it_and_anyone_can_be_added_by_name(page, seed):
    page.goto("/encounters/")
    page.locator("#id_kind input[value='phone_call']").check()
    page.wait_for_url(re.compile(r"kind=phone_call"))
    assert "kind=phone_call" in page.url
    page.locator("#id_add_person").fill("Sherman")
    page.locator("#id_add_person").press("Enter")
    page.wait_for_url(re.compile(r"person=wendy-sherman"))
    assert "add_person" not in page.url


def test_the_add_form_saves_the_first_time_and_fits_the_screen(page, seed):
    make_staff("eddie", "Editors")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "eddie")
    page.goto("/admin/engagements/encounter/add/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.locator("#id_title").fill("Rubio–Wang Yi phone call")
    page.locator("#id_kind").select_option("phone_call")
    page.locator("#id_venue").select_option("remote")
    page.locator("#id_start_date").fill("2025-01-24")
    choose_person(page, 0, "Antony Blinken")
    page.locator("#id_participations-0-side").select_option("us")
    page.locator("#id_participations-0-office").fill("Secretary of State")
    page.get_by_role("button", name="Add another Participation").click()
    choose_person(page, 1, "Wang Yi")
    page.locator("#id_participations-1-side").select_option("prc")
    page.locator("#id_participations-1-office").fill("Foreign Minister")
    page.locator("input[name=_save]").first.click()
    page.wait_for_url("**/admin/engagements/encounter/")
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    encounter = Encounter.objects.get(title="Rubio–Wang Yi phone call")
    assert encounter.slug == "rubio-wang-yi-phone-call-2025-01-24"
    assert encounter.level == "cabinet"
