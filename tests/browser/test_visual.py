"""The drawing pages in a real browser: statistics, map, network, both sides' accounts and the
interactive timeline, each checked by axe-core at desktop and phone width."""

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_browsing

# The browsing tests' fixtures: the seed, and a page that fails on script errors, CSP refusals
# and missing assets.
seed = test_browsing.seed
page = test_browsing.page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading_count(page):
    """The list's "N encounters" heading, as a number."""
    text = page.locator("h2.result-count").inner_text()
    return int(re.match(r"(\d+) encounters?", text).group(1))


def test_a_charts_csv_equals_the_lists_counts(page, seed, assert_accessible):
    page.goto("/stats/?venue=prc")
    assert page.get_by_role("heading", name="Encounters per year, by level").is_visible()
    assert_accessible(page)
    link = page.get_by_role("link", name="Encounters per year, by level as CSV")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    for level, label in [("envoy", "Special envoy or ambassador"), ("deputy", "Deputy")]:
        from_csv = sum(int(row[label]) for row in rows)
        page.goto(f"/encounters/?venue=prc&level={level}")
        assert heading_count(page) == from_csv > 0
    # The table's year links open the list of that year, filters kept.
    page.goto("/stats/?venue=prc")
    page.locator("#chart-by-year-level summary").click()
    page.locator("#chart-by-year-level").get_by_role("link", name="2021").click()
    page.wait_for_url(re.compile(r"/encounters/\?venue=prc&date_after=2021-01-01"))
    assert heading_count(page) == sum(int(row["Total"]) for row in rows if row["Year"] == "2021")


def test_a_map_click_lists_the_places_encounters(page, seed, assert_accessible):
    page.goto("/map/?level=envoy")
    assert_accessible(page)
    tianjin = page.get_by_role("link", name="Tianjin (CN): 3 encounters")
    tianjin.click()
    page.wait_for_url(re.compile(r"/map/\?level=envoy&place=\d+#place-encounters"))
    section = page.locator("#place-encounters")
    assert section.locator("h2").inner_text() == "Tianjin (CN): 3 encounters"
    assert section.locator(".encounter-row").count() == 3
    assert section.get_by_role("link", name="Kerry–Wang Yi video call").is_visible()
    assert_accessible(page)


def test_the_networks_counts_equal_the_person_filters(page, seed, assert_accessible):
    page.goto("/people/network/")
    assert_accessible(page)
    ties = page.locator("table.ties-table tbody tr")
    first = ties.first.locator("td")
    us, prc, count = first.nth(0).inner_text(), first.nth(1).inner_text(), first.nth(2).inner_text()
    assert (us, prc) == ("Joe Biden", "Xi Jinping")
    first.nth(2).get_by_role("link").click()
    page.wait_for_url(re.compile(r"person=joe-biden&person=xi-jinping"))
    assert heading_count(page) == int(count) == 6
    # A person's count, from the people table, is the person filter's count.
    page.goto("/people/network/?level=envoy")
    row = page.locator("table.people-table tbody tr").first
    name, total = row.locator("td").nth(0).inner_text(), row.locator("td").nth(2).inner_text()
    row.locator("td").nth(2).get_by_role("link").click()
    page.wait_for_url(re.compile(r"level=envoy&person="))
    assert heading_count(page) == int(total)
    assert page.get_by_role("link", name=f"Remove filter People: {name}").is_visible()


def test_both_sides_accounts_are_accessible(page, seed, assert_accessible):
    from engagements.models import Encounter, Quote, Source

    encounter = Encounter.objects.get(slug="kerry-climate-trip-tianjin-2021-08")
    prc = Source.objects.create(
        encounter=encounter, kind="prc_readout", outlet="Ministry of Foreign Affairs",
        title="Wang Yi holds video talks with Kerry", note="",
    )  # fmt: skip
    Quote.objects.create(
        encounter=encounter, source=prc, text="Climate cooperation cannot be separated.",
        speaker_description="the Ministry's readout",
    )  # fmt: skip
    page.goto("/encounters/kerry-climate-trip-tianjin-2021-08/")
    page.get_by_role("link", name="Compare both sides' accounts").click()
    page.wait_for_url("**/accounts/")
    assert page.get_by_role("heading", name="US official readout").is_visible()
    assert page.get_by_role("heading", name="PRC official readout").is_visible()
    assert_accessible(page)


def mark_x(page, slug):
    return float(page.locator(f'svg.timeline a.mark[href$="/{slug}/"] use').get_attribute("x"))


def test_timeline_zooms_and_pans(page, seed, assert_accessible):
    page.goto("/timeline/")
    assert_accessible(page)
    a, b = "biden-xi-phone-call-2021-09-09", "biden-xi-virtual-summit-2021-11-15"
    apart = mark_x(page, b) - mark_x(page, a)
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    assert mark_x(page, b) - mark_x(page, a) == pytest.approx(apart * 4, rel=0.05)
    # The wheel zooms around the pointer; the keyboard zooms and pans the focused drawing.
    page.get_by_role("button", name="Reset").click()
    page.locator("svg.timeline").scroll_into_view_if_needed()
    box = page.locator("svg.timeline").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    expect(page.locator("svg.timeline")).not_to_have_attribute("data-view-start", "2021-02-01")
    assert mark_x(page, b) - mark_x(page, a) > apart * 1.5
    page.get_by_role("button", name="Reset").click()
    page.locator(".timeline-scroll").focus()
    page.keyboard.press("+")
    assert mark_x(page, b) - mark_x(page, a) == pytest.approx(apart * 2, rel=0.05)
    before = mark_x(page, a)
    page.keyboard.press("ArrowRight")
    assert mark_x(page, a) < before
    # Dragging the lanes pans.
    box = page.locator("svg.timeline").bounding_box()
    before = mark_x(page, a)
    y = box["y"] + box["height"] * 0.75
    page.mouse.move(box["x"] + 300, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, y, steps=5)
    page.mouse.up()
    assert mark_x(page, a) < before
    assert "Showing" in page.locator(".timeline-status").inner_text()


def test_brushing_sets_the_dates_in_the_url_and_the_list_follows(page, seed):
    page.goto("/timeline/")
    svg = page.locator("svg.timeline")
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    y = box["y"] + box["height"] * 0.1  # over the month bars
    page.mouse.move(box["x"] + box["width"] * 0.12, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.up()
    page.wait_for_url(re.compile(r"date_after=\d{4}-\d\d-\d\d&date_before=\d{4}-\d\d-\d\d"))
    after = re.search(r"date_after=([\d-]+)", page.url).group(1)
    before = re.search(r"date_before=([\d-]+)", page.url).group(1)
    assert "2021-01-01" <= after < before <= "2022-12-31"
    total = int(
        re.match(r"(\d+) encounters?", page.locator("h2.result-count").inner_text()).group(1)
    )
    page.get_by_role("link", name="List these encounters").click()
    page.wait_for_url(re.compile(rf"/encounters/\?date_after={after}&date_before={before}"))
    assert heading_count(page) == total
    # Without a drag, the button filters to the period in view.
    page.goto("/timeline/")
    page.get_by_role("button", name="Filter to this period").click()
    page.wait_for_url(re.compile(r"date_after=2021-02-01&date_before=2024-11-30"))


def test_timeline_tooltips_on_hover_and_focus(page, seed, assert_accessible):
    page.goto("/timeline/?level=leader")
    mark = page.locator('svg.timeline a.mark[href$="/biden-xi-phone-call-2021-02-10/"]')
    mark.hover()
    tip = page.get_by_role("tooltip")
    assert tip.is_visible()
    assert "Biden–Xi phone call" in tip.inner_text()
    assert "10 Feb 2021" in tip.inner_text()
    assert "Joe Biden, Xi Jinping" in tip.inner_text()
    assert (
        tip.get_by_role("link", name="Open the encounter")
        .get_attribute("href")
        .endswith("/encounters/biden-xi-phone-call-2021-02-10/")
    )
    assert_accessible(page)
    page.mouse.move(0, 0)
    expect(tip).to_be_hidden()
    page.locator('svg.timeline a.mark[href$="/biden-xi-meeting-lima-2024-11-16/"]').focus()
    assert "Lima" in tip.inner_text() or "2024" in tip.inner_text()
    assert tip.is_visible()
    page.keyboard.press("Escape")
    assert not tip.is_visible()


def test_timeline_by_kind_with_leaders_bands_is_accessible(phone_page, seed, assert_accessible):
    phone_page.goto("/timeline/?lanes=kind")
    assert phone_page.locator("svg.timeline g.lane").count() == 6
    assert phone_page.locator("svg.timeline g.band").count() >= 3
    assert_accessible(phone_page)


@pytest.mark.parametrize("path", ["/stats/", "/map/", "/people/network/", "/timeline/"])
def test_pages_fit_a_phone(phone_page, seed, assert_accessible, path):
    phone_page.goto(path)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide on a 375px phone"
    assert_accessible(phone_page)
