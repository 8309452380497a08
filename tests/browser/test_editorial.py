"""An editor adds a meeting with participants and a source; a publisher publishes it; the
public finds it on the list."""

import pytest

from engagements.models import Encounter, Side
from tests.conftest import make_staff
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def choose_person(page, row, name):
    """Pick a person in the autocomplete (select2) of participant row `row`."""
    page.locator(f"#participations-{row} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(name)
    page.locator(".select2-results__option", has_text=name).first.click()


def test_editor_drafts_publisher_publishes_public_finds_it(page):
    make_staff("eddie", "Editors")
    make_staff("pat", "Publishers")
    PersonFactory(name="Antony Blinken", slug="antony-blinken", side=Side.US)
    PersonFactory(name="Wang Yi", slug="wang-yi", side=Side.PRC)

    log_in(page, "eddie")
    page.goto("/admin/engagements/encounter/add/")
    page.locator("#id_title").fill("Blinken–Wang meeting in Beijing")
    page.locator("#id_kind").select_option("meeting")
    page.locator("#id_venue").select_option("prc")
    page.locator("#id_level").select_option("cabinet")
    page.locator("#id_start_date").fill("2024-04-26")
    page.locator("#id_summary").fill("Five and a half hours of talks.")
    page.locator("#id_status").select_option("review")
    choose_person(page, 0, "Antony Blinken")
    page.locator("#id_participations-0-side").select_option("us")
    page.locator("#id_participations-0-office").fill("Secretary of State")
    page.get_by_role("button", name="Add another Participation").click()
    print(
        "ROWS",
        page.locator("#participations-group tr").evaluate_all(
            "els => els.map(e => e.id + ':' + e.className)"
        ),
    )
    choose_person(page, 1, "Wang Yi")
    page.locator("#id_participations-1-side").select_option("prc")
    page.get_by_role("button", name="Add another Source").click()
    page.locator("#id_sources-0-outlet").fill("US Department of State")
    page.locator("#id_sources-0-url").fill("https://www.state.gov/example")
    page.locator("input[name=_save]").first.click()
    page.wait_for_url("**/admin/engagements/encounter/")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    encounter = Encounter.objects.get(title="Blinken–Wang meeting in Beijing")
    assert encounter.status == "review"
    assert encounter.participations.count() == 2 and encounter.sources.count() == 1
    page.goto("/encounters/")
    assert page.get_by_role("link", name="Blinken–Wang meeting in Beijing").count() == 0

    page.context.clear_cookies()
    log_in(page, "pat")
    page.goto("/admin/engagements/encounter/?status__exact=review")
    page.locator(f"input[name=_selected_action][value='{encounter.pk}']").check()
    page.locator("select[name=action]").select_option("publish_selected")
    page.get_by_title("Run the selected action").first.click()
    assert "Published 1 encounter(s)." in page.locator(".messagelist").inner_text()

    page.context.clear_cookies()
    page.goto("/encounters/")
    page.get_by_role("link", name="Blinken–Wang meeting in Beijing").click()
    page.wait_for_url(f"**{encounter.get_absolute_url()}")
    assert page.get_by_text("Secretary of State").first.is_visible()
    assert page.get_by_text("Last updated").is_visible()
