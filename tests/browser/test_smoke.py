import pytest
from django.core.management import call_command

from engagements.infrastructure.seeding import SEED_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_researcher_opens_an_encounter_from_the_list(page):
    call_command("load_seed", file=[SEED_FILE], verbosity=0)  # the seed only: fast
    page.goto("/encounters/")
    page.get_by_role("link", name="Anchorage high-level strategic dialogue").click()
    page.wait_for_url("**/encounters/anchorage-talks-2021-03-18/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Anchorage high-level strategic dialogue"
    )
    assert page.get_by_text("State Councilor and Foreign Minister").is_visible()
