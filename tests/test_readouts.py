"""Readouts as records: the merge rule (fill only what is empty; a disagreement is a discrepancy),
attaching a source idempotently by its address, and replacing a copy by the original."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from engagements.infrastructure.seeding import SeedLoader, load_hsg_amendments
from engagements.models import Discrepancy, Encounter, Participation, Source
from tests.factories import (
    EncounterFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

PRC_READOUT = {
    "kind": "prc_readout",
    "issuer": "prc_mfa",
    "language": "zh",
    "outlet": "Ministry of Foreign Affairs of the PRC",
    "title": "习近平应约同美国总统拜登通电话",
    "url": "https://www.mfa.gov.cn/web/zyxw/202109/t20210910_9585246.shtml",
    "text": "2021年9月10日上午，国家主席习近平应约同美国总统拜登通电话。",
    "text_is_excerpt": True,
    "issued_on": "2021-09-10",
    "issued_time_zone": "Asia/Shanghai",
}


def call(**fields):
    return EncounterFactory(
        kind=Encounter.Kind.PHONE_CALL,
        venue=Encounter.Venue.REMOTE,
        start_date=datetime.date(2021, 9, 9),
        **fields,
    )


def readout(encounter, **fields):
    return encounter.attach_source({**PRC_READOUT, **fields})


def test_fill_sets_the_unknown_initiator_with_its_words_and_source():
    encounter = call()
    source = readout(encounter)
    found = encounter.fill_from({"initiated_by": "us", "initiator_note": "应约"}, source)
    encounter.refresh_from_db()
    assert found == []
    assert encounter.initiated_by == Encounter.Initiator.US
    assert encounter.initiator_source == source
    assert encounter.initiator_note == "应约"
    assert encounter.history.first().history_change_reason.startswith("Filled from")


def test_a_differing_initiator_becomes_a_discrepancy_and_the_record_is_kept():
    encounter = call(initiated_by=Encounter.Initiator.PRC)
    ours = SourceFactory(encounter=encounter, outlet="Reuters")
    Encounter.objects.filter(pk=encounter.pk).update(initiator_source=ours)
    encounter.refresh_from_db()
    source = readout(encounter)
    found = encounter.fill_from({"initiated_by": "us", "initiator_note": "应约"}, source)
    encounter.refresh_from_db()
    assert encounter.initiated_by == Encounter.Initiator.PRC
    assert encounter.initiator_source == ours
    [discrepancy] = found
    assert discrepancy.field == Discrepancy.Field.INITIATOR
    assert discrepancy.our_value == "PRC"
    assert discrepancy.their_value == "United States: “应约”"
    assert discrepancy.source == source
    assert discrepancy.our_source == ours
    assert "PRC Ministry of Foreign Affairs readout" in discrepancy.note


def test_an_unknown_claim_fills_nothing():
    encounter = call(initiated_by=Encounter.Initiator.PRC)
    source = readout(encounter)
    assert encounter.fill_from({"initiated_by": "unknown"}, source) == []
    encounter.refresh_from_db()
    assert encounter.initiated_by == Encounter.Initiator.PRC
    assert not encounter.discrepancies.exists()


def test_the_same_initiator_gains_the_missing_support():
    encounter = call(initiated_by=Encounter.Initiator.US)
    source = readout(encounter)
    assert encounter.fill_from({"initiated_by": "us", "initiator_note": "应约"}, source) == []
    encounter.refresh_from_db()
    assert (encounter.initiator_source, encounter.initiator_note) == (source, "应约")


def test_a_source_fills_a_missing_place_and_disagrees_with_another():
    visit = EncounterFactory(kind=Encounter.Kind.VISIT, venue=Encounter.Venue.US, place=None)
    source = visit.attach_source({"kind": "news", "outlet": "Reuters", "url": "https://r.example"})
    white_house = PlaceFactory(name="The White House", city="Washington", country="US")
    assert visit.fill_from({"place": white_house}, source) == []
    visit.refresh_from_db()
    assert visit.place == white_house
    camp_david = PlaceFactory(name="Camp David", city="Thurmont", country="US")
    [discrepancy] = visit.fill_from({"place": camp_david}, source)
    visit.refresh_from_db()
    assert visit.place == white_house  # the record's value is kept
    assert discrepancy.field == Discrepancy.Field.PLACE
    assert (discrepancy.our_value, discrepancy.their_value) == (
        "The White House, Washington, US",
        "Camp David, Thurmont, US",
    )


def test_an_hsg_amendment_gives_a_visit_its_place_from_the_files_places(tmp_path):
    visit = EncounterFactory(slug="hsg-visit", kind=Encounter.Kind.VISIT, place=None)
    path = data_file(
        tmp_path,
        "places.json",
        places=[
            {
                "key": "white-house",
                "name": "The White House",
                "city": "Washington",
                "country": "US",
                "latitude": "38.897700",
                "longitude": "-77.036500",
                "timezone": "America/New_York",
            }
        ],
        hsg_amendments=[
            {
                "encounter": "hsg-visit",
                "sources": [
                    {"key": "s1", "kind": "news", "outlet": "AP", "url": "https://a.example"}
                ],
                "fill": {"place": "white-house", "source": "s1"},
            }
        ],
    )
    load_hsg_amendments([path])
    visit.refresh_from_db()
    assert (visit.place.name, str(visit.place.latitude)) == ("The White House", "38.897700")
    assert visit.sources.filter(url="https://a.example").exists()


def test_a_start_time_fills_and_the_capitals_dates_follow_from_it():
    encounter = call()
    source = readout(encounter)
    encounter.fill_from(
        {"local_start_time": "20:33", "time_zone": "America/New_York", "duration_minutes": 90},
        source,
    )
    encounter.refresh_from_db()
    assert encounter.local_start_time == datetime.time(20, 33)
    assert encounter.duration_minutes == 90
    assert encounter.washington_date == datetime.date(2021, 9, 9)
    assert encounter.beijing_date == datetime.date(2021, 9, 10)


def test_a_readouts_beijing_date_agreeing_with_the_computed_one_raises_nothing():
    encounter = call(local_start_time=datetime.time(20, 33), time_zone="America/New_York")
    source = readout(encounter)
    found = encounter.fill_from(
        {"beijing_date": "2021-09-10", "local_start_time": "08:33", "time_zone": "Asia/Shanghai"},
        source,
    )
    assert found == []


def test_a_different_time_and_date_become_discrepancies():
    encounter = call(local_start_time=datetime.time(20, 33), time_zone="America/New_York")
    source = readout(encounter)
    found = encounter.fill_from(
        {"beijing_date": "2021-09-09", "local_start_time": "21:00", "duration_minutes": "120"},
        source,
    )
    encounter.refresh_from_db()
    assert encounter.local_start_time == datetime.time(20, 33)
    assert encounter.beijing_date == datetime.date(2021, 9, 10)
    assert encounter.duration_minutes == 120
    values = {(d.field, d.our_value, d.their_value) for d in found}
    assert (
        Discrepancy.Field.DATES,
        "20:33 (America/New_York)",
        "21:00 (America/New_York)",
    ) in values
    assert (Discrepancy.Field.DATES, "10 September 2021", "9 September 2021") in values


def test_a_typed_beijing_date_is_filled_with_a_note_naming_its_source():
    encounter = call()
    source = readout(encounter)
    encounter.fill_from({"beijing_date": "2021-09-10"}, source)
    encounter.refresh_from_db()
    assert encounter.beijing_date == datetime.date(2021, 9, 10)
    assert encounter.beijing_date_note == "The PRC Ministry of Foreign Affairs readout"
    assert encounter.unsourced_capital_dates() == {}


def test_a_beijing_date_more_than_a_day_away_is_a_discrepancy_not_a_broken_row():
    encounter = call()
    source = readout(encounter)
    [discrepancy] = encounter.fill_from({"beijing_date": "2021-09-14"}, source)
    encounter.refresh_from_db()
    assert encounter.beijing_date is None
    assert discrepancy.their_value == "14 September 2021"


def test_kind_and_duration_disagreements_are_recorded():
    encounter = call(duration_minutes=60)
    source = readout(encounter)
    found = encounter.fill_from({"kind": "video_call", "duration_minutes": 90}, source)
    encounter.refresh_from_db()
    assert encounter.kind == Encounter.Kind.PHONE_CALL
    assert encounter.duration_minutes == 60
    assert {(d.field, d.our_value, d.their_value) for d in found} == {
        (Discrepancy.Field.KIND, "Phone call", "Video call"),
        (Discrepancy.Field.DURATION, "60 minutes", "90 minutes"),
    }


def test_filling_twice_changes_nothing_the_second_time():
    encounter = call(initiated_by=Encounter.Initiator.PRC)
    source = readout(encounter)
    values = {"initiated_by": "us", "initiator_note": "应约", "beijing_date": "2021-09-10"}
    first = encounter.fill_from(values, source)
    encounter.refresh_from_db()
    version = encounter.version
    second = encounter.fill_from(values, source)
    encounter.refresh_from_db()
    assert [d.pk for d in first] == [d.pk for d in second]
    assert encounter.discrepancies.count() == 1
    assert encounter.version == version


def test_topics_are_added():
    encounter = call()
    encounter.topics.add(TopicFactory(slug="trade"))
    TopicFactory(slug="climate")
    encounter.fill_from({"topics": ["climate"]}, readout(encounter))
    assert set(encounter.topics.values_list("slug", flat=True)) == {"trade", "climate"}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"initiated_by": "moon"}, "initiated_by"),
        ({"beijing_date": "10 Sept"}, "beijing_date"),
        ({"summary": "pasted"}, "cannot fill summary"),
        ({"duration_minutes": 0}, "more than 0"),
        ({"time_zone": "Mars/Olympus", "local_start_time": "10:00"}, "time_zone"),
        ({"topics": ["no-such-topic"]}, "no-such-topic"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message_and_nothing_changes(values, message):
    encounter = call()
    source = readout(encounter)
    version = Encounter.objects.get(pk=encounter.pk).version
    with pytest.raises(ValidationError) as error:
        encounter.fill_from(values, source)
    assert message in str(error.value)
    assert Encounter.objects.get(pk=encounter.pk).version == version


def test_a_source_of_another_encounter_cannot_fill():
    encounter = call()
    other = readout(call())
    with pytest.raises(ValidationError, match="Attach the source"):
        encounter.fill_from({"initiated_by": "us"}, other)


def test_attach_source_is_idempotent_by_url():
    encounter = call()
    first = readout(encounter)
    again = readout(encounter, text="another text")
    assert again.pk == first.pk
    assert encounter.sources.count() == 1
    assert again.text == PRC_READOUT["text"]
    assert first.side == "prc" and first.is_readout


def test_attach_source_takes_an_unsaved_source_as_the_intake_builds_it():
    encounter = call()
    fields = {**PRC_READOUT, "issued_on": datetime.date(2021, 9, 10)}
    source = encounter.attach_source(Source(**fields))
    assert source.pk and source.encounter_id == encounter.pk
    assert encounter.attach_source(Source(**fields)).pk == source.pk
    assert encounter.attach_source(source) is source
    assert encounter.sources.count() == 1


def test_attach_source_completes_a_stored_copy_of_the_official_address():
    encounter = call()
    stored = SourceFactory(
        encounter=encounter, kind=Source.Kind.NEWS, outlet="MFA", url=PRC_READOUT["url"]
    )
    source = readout(encounter)
    stored.refresh_from_db()
    assert source.pk == stored.pk
    assert stored.kind == Source.Kind.PRC_READOUT
    assert stored.outlet == "MFA"  # what it held stays
    assert (stored.issuer, stored.language, stored.text_is_excerpt) == ("prc_mfa", "zh", True)
    assert stored.text.startswith("2021年9月10日")


def test_attach_source_refuses_a_bad_row_and_saves_nothing():
    encounter = call()
    with pytest.raises(ValidationError):
        readout(encounter, url="not an address")
    with pytest.raises(ValidationError, match="Not fields of a source: colour"):
        readout(encounter, colour="red")
    assert not encounter.sources.exists()


def test_replace_source_repoints_quotes_discrepancies_and_initiator_support():
    encounter = call()
    copy = SourceFactory(encounter=encounter, outlet="Aggregator", url="https://agg.example/1")
    encounter.fill_from({"initiated_by": "us", "initiator_note": "应约"}, copy)
    encounter.fill_from({"duration_minutes": 90}, copy)
    encounter.fill_from({"duration_minutes": 60}, copy)  # a discrepancy cited to the copy
    quote = QuoteFactory(encounter=encounter, source=copy)
    official = readout(encounter)
    encounter.replace_source(copy, official)
    encounter.refresh_from_db()
    quote.refresh_from_db()
    assert not Source.objects.filter(pk=copy.pk).exists()
    assert encounter.initiator_source == official
    assert quote.source == official
    assert encounter.discrepancies.get().source == official


# The seed loader's amendments (docs/editors.md, "Amendments") ----------------------------------

CALL_SLUG = "test-biden-xi-call-2021-09-09"


def data_file(tmp_path, name, **content):
    path = tmp_path / name
    path.write_text(json.dumps({"_about": "test", **content}), encoding="utf-8")
    return path


def base_file(tmp_path):
    return data_file(
        tmp_path,
        "coverage-a.json",
        topics=[{"slug": "climate", "name": "Climate"}],
        people=[
            {"slug": "test-biden", "name": "Test Biden", "side": "us"},
            {"slug": "test-xi", "name": "Test Xi", "name_zh": "测试", "side": "prc"},
            {"slug": "test-kerry", "name": "Test Kerry", "side": "us"},
        ],
        encounters=[
            {
                "slug": CALL_SLUG,
                "title": "Biden–Xi call",
                "kind": "phone_call",
                "venue": "remote",
                "level": "leader",
                "start_date": "2021-09-09",
                "summary": "Our own words.",
                "participants": [
                    {"person": "test-biden", "role": "principal", "office": "President"},
                    {"person": "test-xi", "role": "principal", "office": "President"},
                ],
                "sources": [
                    {
                        "key": "s1",
                        "kind": "news",
                        "outlet": "Aggregator",
                        "title": "Copied report",
                        "url": "https://aggregator.example/copy",
                    }
                ],
                "quotes": [
                    {"text": "Words.", "speaker_description": "an official", "source": "s1"}
                ],
            }
        ],
    )


def amendment(**overrides):
    row = {
        "encounter": CALL_SLUG,
        "sources": [{"key": "r1", **PRC_READOUT}],
        "fill": {
            "initiated_by": "us",
            "initiator_source": "r1",
            "initiator_note": "应约",
            "local_start_time": "20:33",
            "time_zone": "America/New_York",
            "duration_minutes": 90,
            "topics": ["climate"],
        },
        "participants": [
            {"person": "test-kerry", "side": "us", "role": "member", "office": "Envoy"},
            {"person": "test-xi", "side": "prc", "role": "principal", "office": "President"},
        ],
        "replace_sources": [{"url": "https://aggregator.example/copy", "by": "r1"}],
        "discrepancies": [
            {"field": "duration_minutes", "value": "two hours", "source": "r1", "note": "Test."}
        ],
    }
    row.update(overrides)
    return row


def seed_state():
    return (
        sorted(Encounter.objects.values_list("slug", "version", "initiated_by")),
        sorted(Source.objects.values_list("url", "kind", "text")),
        Discrepancy.objects.count(),
        Participation.objects.count(),
        Encounter.history.count(),
        Source.history.count(),
    )


def test_an_amendment_adds_the_readout_fills_and_replaces_the_copy(tmp_path):
    files = [base_file(tmp_path), data_file(tmp_path, "coverage-b.json", amendments=[amendment()])]
    result = SeedLoader(files).run()
    call_ = Encounter.objects.get(slug=CALL_SLUG)
    assert result.amended == [CALL_SLUG]
    source = call_.sources.get()
    assert (source.kind, source.issuer, source.language) == ("prc_readout", "prc_mfa", "zh")
    assert source.text_is_excerpt and source.issued_on == datetime.date(2021, 9, 10)
    assert source.issued_time_zone == "Asia/Shanghai"
    assert (call_.initiated_by, call_.initiator_source, call_.initiator_note) == (
        "us",
        source,
        "应约",
    )
    assert call_.beijing_date == datetime.date(2021, 9, 10)
    assert call_.duration_minutes == 90
    assert list(call_.topics.values_list("slug", flat=True)) == ["climate"]
    assert call_.quotes.get().source == source
    assert sorted(call_.participations.values_list("person__slug", flat=True)) == [
        "test-biden",
        "test-kerry",
        "test-xi",
    ]
    discrepancy = call_.discrepancies.get()
    assert (discrepancy.field, discrepancy.our_value) == (Discrepancy.Field.DURATION, "90")


def test_a_second_load_of_an_amendment_changes_nothing(tmp_path):
    files = [base_file(tmp_path), data_file(tmp_path, "coverage-b.json", amendments=[amendment()])]
    SeedLoader(files).run()
    before = seed_state()
    result = SeedLoader(files).run()
    assert seed_state() == before
    assert result.unreplaced == [(CALL_SLUG, "https://aggregator.example/copy")]


def test_an_amendment_never_overwrites_it_records_a_discrepancy(tmp_path):
    SeedLoader([base_file(tmp_path)]).run()
    Encounter.objects.filter(slug=CALL_SLUG).update(initiated_by="prc", duration_minutes=60)
    files = [data_file(tmp_path, "coverage-b.json", amendments=[amendment(discrepancies=[])])]
    SeedLoader(files).run()
    call_ = Encounter.objects.get(slug=CALL_SLUG)
    assert (call_.initiated_by, call_.duration_minutes) == ("prc", 60)
    assert set(call_.discrepancies.values_list("field", "our_value", "their_value")) == {
        (Discrepancy.Field.INITIATOR, "PRC", "United States: “应约”"),
        (Discrepancy.Field.DURATION, "60 minutes", "90 minutes"),
    }


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"encounter": "no-such-encounter"}, "amendment of no-such-encounter: no encounter"),
        ({"fill": {"initiated_by": "us"}}, "initiated_by needs its initiator_source"),
        ({"fill": {"initiated_by": "moon", "initiator_source": "r1"}}, "initiated_by"),
        ({"replace_sources": [{"url": "https://aggregator.example/copy", "by": "r9"}]}, "r9"),
        ({"sources": [{"key": "r1", **PRC_READOUT, "url": "fmprc"}]}, "source r1: url"),
        ({"sources": [{"key": "r1", **PRC_READOUT, "kind": "news"}]}, "readout only"),
        ({"participants": [{"person": "nobody"}]}, "“nobody” is not a person"),
        ({"colour": "red"}, "unknown keys colour"),
    ],
)
def test_a_bad_amendment_loads_nothing_and_says_where(tmp_path, overrides, message):
    files = [
        base_file(tmp_path),
        data_file(tmp_path, "coverage-b.json", amendments=[amendment(**overrides)]),
    ]
    with pytest.raises(CommandError) as error:
        call_command("load_seed", file=files, verbosity=0)
    assert "coverage-b.json" in str(error.value)
    assert message in str(error.value)
    assert not Encounter.objects.exists()


# The admin --------------------------------------------------------------------------------------


def test_admin_groups_the_readout_fields_on_the_source_and_its_inline(admin_client):
    encounter = call()
    source = readout(encounter)
    page = admin_client.get(reverse("admin:engagements_source_change", args=[source.pk])).text
    assert "Readout (US or PRC official readouts only)" in page
    assert "国家主席习近平应约同美国总统拜登通电话" in page
    for name in ("issuer", "language", "text_is_excerpt", "issued_on", "issued_time",
                 "issued_time_zone", "copy_outlet", "copy_url"):  # fmt: skip
        assert f'name="{name}"' in page
    change = admin_client.get(reverse("admin:engagements_encounter_change", args=[encounter.pk]))
    assert "Readout (US or PRC official readouts only)" in change.text
    assert 'name="sources-0-text"' in change.text
    listing = admin_client.get(
        reverse("admin:engagements_source_changelist"), {"issuer": "prc_mfa"}
    )
    assert PRC_READOUT["title"] in listing.text


def test_admin_refuses_a_text_on_a_source_that_is_no_readout(admin_client):
    encounter = call()
    url = reverse("admin:engagements_source_add")
    response = admin_client.post(
        url,
        {
            "encounter": encounter.pk,
            "kind": "news",
            "outlet": "Reuters",
            "title": "A report",
            "url": "https://www.reuters.com/x",
            "text": "Pasted text.",
            "issued_time_zone": "",
        },
    )
    assert response.status_code == 200
    assert "Issuer and text belong to a US or PRC readout only." in response.text
    assert not Source.objects.exists()


def test_an_office_encounters_amendment_waits_for_the_office_import(tmp_path):
    """hsg_amendments name encounters import_hsg creates after load_seed: the seed load leaves
    them waiting, and the step after the Office import (load_hsg_amendments) applies them."""
    amendments = data_file(
        tmp_path, "coverage-b.json", hsg_amendments=[amendment(replace_sources=[])]
    )
    base = base_file(tmp_path)
    base_rows = json.loads(base.read_text(encoding="utf-8"))
    encounter_row = base_rows.pop("encounters")[0]
    base.write_text(json.dumps(base_rows), encoding="utf-8")
    result = SeedLoader([base, amendments]).run()
    assert result.waiting == [CALL_SLUG] and result.amended == []

    # The Office import creates the encounter (here: a file of its own, loaded later).
    SeedLoader([data_file(tmp_path, "office.json", encounters=[encounter_row])]).run()
    result = load_hsg_amendments([base, amendments])
    call_ = Encounter.objects.get(slug=CALL_SLUG)
    assert result.amended == [CALL_SLUG]
    assert call_.initiated_by == "us" and call_.sources.filter(kind="prc_readout").exists()
    # Applying them again changes nothing.
    before = seed_state()
    load_hsg_amendments([base, amendments])
    assert seed_state() == before
