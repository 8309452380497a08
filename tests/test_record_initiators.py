"""Initiators, sources and dates the 2021–2025 coverage research supported: on a new database
(coverage-2021-2025-a.json) and, by migration 0020, on one loaded earlier."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from engagements.models import Discrepancy, Encounter, Source

pytestmark = pytest.mark.django_db

restore = importlib.import_module("engagements.migrations.0023_coverage_initiators").restore

TRUMP_XI = "trump-xi-phone-call-2025-11-24"
SPOKESPERSON = "http://en.people.cn/n3/2025/1125/c90000-20394916.html"
MUNDO = "https://www.mundoamerica.com/news/2025/11/25/6925ba4fe9cf4a5b4b8b456e.html"


@pytest.fixture
def loaded(db):
    call_command("load_seed", verbosity=0)


def test_initiators_follow_the_readouts(loaded):
    july = Encounter.objects.get(slug="biden-xi-phone-call-2022-07-28")
    assert july.initiated_by == "us"
    assert july.initiator_source.kind == "prc_readout"
    assert "at the request of the latter" in july.initiator_source.text
    october = Encounter.objects.get(slug="blinken-wang-yi-phone-call-2022-10-30")
    assert (october.initiated_by, october.beijing_date) == ("us", datetime.date(2022, 10, 31))
    assert october.initiator_source.url.startswith("http://mk.china-embassy.gov.cn/")
    december = Encounter.objects.get(slug="blinken-wang-yi-phone-call-2022-12-22")
    assert december.initiated_by == "us" and "应约" in december.initiator_source.note


def test_a_spokesperson_contradicting_a_news_coded_initiator_is_a_discrepancy(loaded):
    call = Encounter.objects.get(slug=TRUMP_XI)
    assert call.initiated_by == "us" and call.initiator_source.url == SPOKESPERSON
    discrepancy = Discrepancy.objects.get(encounter=call)
    assert (discrepancy.our_value, discrepancy.their_value) == ("US", "PRC")
    assert discrepancy.source.url == MUNDO and discrepancy.our_source.url == SPOKESPERSON


def test_the_migration_restores_an_earlier_load_and_leaves_edited_rows(loaded):
    call = Encounter.objects.get(slug=TRUMP_XI)
    Discrepancy.objects.filter(encounter=call).delete()
    Source.objects.filter(encounter=call, url=SPOKESPERSON).delete()
    Encounter.objects.filter(pk=call.pk).update(
        initiated_by="prc", initiator_source=Source.objects.get(encounter=call, url=MUNDO)
    )
    edited = Encounter.objects.get(slug="biden-xi-phone-call-2022-07-28")
    Encounter.objects.filter(pk=edited.pk).update(initiated_by="both", initiator_source=None)
    restore(apps, None)
    call.refresh_from_db()
    assert call.initiated_by == "us" and call.initiator_source.url == SPOKESPERSON
    assert Discrepancy.objects.filter(encounter=call, their_value="PRC").count() == 1
    edited.refresh_from_db()
    assert edited.initiated_by == "both"  # an editor's value is left alone
    restore(apps, None)  # idempotent
    assert Source.objects.filter(encounter=call, url=SPOKESPERSON).count() == 1
    assert Discrepancy.objects.filter(encounter=call).count() == 1
