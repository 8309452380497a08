"""The Office of the Historian import: merged, reconciled, idempotent, reported."""

import dataclasses
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from engagements.hsg import gazetteer as gz
from engagements.hsg.importer import group_records, import_records
from engagements.hsg.records import read_all, read_trips, read_visits
from engagements.models import (
    Discrepancy,
    Encounter,
    FormerSlug,
    Participation,
    Person,
    Place,
    Quote,
    Source,
)

pytestmark = pytest.mark.django_db
HSG = Encounter.Provenance.HSG
WOODSIDE = "biden-xi-meeting-woodside-2023-11-15"


@pytest.fixture
def imported(seeded):
    call_command("import_hsg", stdout=io.StringIO())


def encounter_of(record_id):
    return Source.objects.get(external_id=record_id).encounter


# The shipped data --------------------------------------------------------------------------


def test_shipped_files_hold_the_prc_subset():
    trips, visits = read_trips(), read_visits()
    assert (len(trips), len(visits)) == (66, 30)
    assert min(r.start_date for r in trips + visits) == datetime.date(1972, 2, 17)
    assert {r.role for r in trips} == {"president", "secretary"}
    # Pretty-printing whitespace is normalised.
    kissinger = next(r for r in trips if r.number == 987)
    assert kissinger.text == (
        "Met with Chairman Mao Tse-tung, Premier Chou En-lai, and senior Chinese officials."
    )


def test_secretary_and_president_pairs_are_grouped():
    pairs = [g for g in group_records(read_all()) if len(g.records) > 1]
    assert len(pairs) == 11
    assert {tuple(sorted(r.number for r in g.records)) for g in pairs} >= {
        (1742, 2844),
        (106, 2599),
        (3764, 3897),
        (3628, 3702),
    }
    assert all(g.lead.role == "president" for g in pairs)


# Counts and merges -------------------------------------------------------------------------


def test_counts_after_merging(imported):
    imported_sources = Source.objects.filter(external_id__startswith="hsg-")
    assert imported_sources.count() == 96
    # 96 records - 11 merged Secretary records - 1 record attached to a curated encounter.
    assert Encounter.objects.filter(provenance=HSG).count() == 84
    assert Encounter.objects.published().filter(provenance=HSG).count() == 84
    merged = [
        e
        for e in Encounter.objects.filter(provenance=HSG)
        if e.sources.filter(kind=Source.Kind.DATASET).count() > 1
    ]
    assert len(merged) == 11
    # Every record's description is kept, attributed to the Office, as a quotation.
    assert Quote.objects.filter(source__in=imported_sources).count() == 96


def test_no_duplicate_encounter_for_any_trip(imported):
    hsg = Encounter.objects.filter(provenance=HSG)
    keys = list(hsg.values_list("start_date", "venue", "level"))
    visitors = Participation.objects.filter(encounter__in=hsg, role="visitor")
    per_person_day = visitors.values_list("person_id", "encounter__start_date")
    assert len(set(per_person_day)) == len(per_person_day)
    assert len(keys) == 84


def test_accompanied_president_is_one_encounter_with_each_persons_dates(imported, client):
    nixon_trip = encounter_of("hsg-trip:2844")
    assert encounter_of("hsg-trip:1742") == nixon_trip
    # The President's arrival is the start; Rogers's record (from the 17th) is a discrepancy.
    assert (nixon_trip.slug, nixon_trip.start_date, nixon_trip.end_date) == (
        "nixon-visit-china-1972-02-21",
        datetime.date(1972, 2, 21),
        datetime.date(1972, 2, 28),
    )
    discrepancy = nixon_trip.discrepancies.get()
    assert (discrepancy.our_value, discrepancy.their_value) == (
        "21–28 February 1972",
        "17–28 February 1972",
    )
    assert discrepancy.source.external_id == "hsg-trip:1742"
    assert discrepancy.our_source.external_id == "hsg-trip:2844"
    assert "/encounters/nixon-visit-china-1972-02-17/" in discrepancy.note
    assert nixon_trip.level == Encounter.Level.LEADER
    nixon = nixon_trip.participations.get(person__slug="richard-nixon")
    rogers = nixon_trip.participations.get(person__slug="william-p-rogers")
    assert (nixon.office, rogers.office) == ("President of the United States", "Secretary of State")
    assert (nixon.role, rogers.role) == ("visitor", "visitor")
    # Nixon's dates are the encounter's, so not repeated; Rogers keeps his record's.
    assert (nixon.start_date, nixon.end_date) == (None, None)
    assert (rogers.start_date, rogers.end_date) == (
        datetime.date(1972, 2, 17),
        datetime.date(1972, 2, 28),
    )

    # The page shows Rogers's own dates next to his name.
    page = client.get(nixon_trip.get_absolute_url()).text
    assert "17 Feb – 28 Feb 1972" in page

    clinton_trip = encounter_of("hsg-trip:2599")
    assert encounter_of("hsg-trip:106") == clinton_trip
    albright = clinton_trip.participations.get(person__slug="madeleine-albright")
    # Clinton's record starts on the 24th; he arrived in Xi'an on the 25th (the White House's
    # transcript of the welcoming ceremony), as Albright's record says.
    assert (clinton_trip.slug, clinton_trip.start_date) == (
        "bill-clinton-visit-china-1998-06-25",
        datetime.date(1998, 6, 25),
    )
    assert albright.start_date is None
    correction = clinton_trip.discrepancies.get()
    assert correction.their_value == "24 June – 3 July 1998"
    assert correction.our_source.url.startswith("https://clintonwhitehouse3.archives.gov/")


def test_nixon_1972_with_mao_and_zhou(imported, client):
    trip = encounter_of("hsg-trip:2844")
    # Cities in the order visited (PBS's itinerary), not the record's order.
    assert trip.title == "Nixon visit to Beijing, Hangzhou and Shanghai"
    assert trip.sources.filter(outlet="PBS, American Experience").exists()
    assert (trip.kind, trip.venue, trip.provenance) == ("visit", "prc", HSG)
    assert trip.place == Place.objects.get(name="Beijing", country="CN")
    hosts = {p.person.slug: p for p in trip.participations.filter(side="prc")}
    assert set(hosts) == {"mao-zedong", "zhou-enlai"}
    assert hosts["mao-zedong"].office == "Chairman of the Chinese Communist Party"
    assert hosts["zhou-enlai"].role == Participation.Role.HOST
    assert "Chou En-lai" in Person.objects.get(slug="zhou-enlai").aliases.splitlines()
    source = trip.sources.get(external_id="hsg-trip:2844")
    assert source.kind == Source.Kind.DATASET
    assert (
        source.url
        == "https://history.state.gov/departmenthistory/travels/president/nixon-richard-m"
    )
    assert "“Shanghai, Peking, Hangchow”" in source.note
    assert "“Peking” (Beijing)" in source.note and "“Hangchow” (Hangzhou)" in source.note
    # The Office's remark is shown verbatim as its own words; our summary is in ours.
    assert "Chou En-lai" not in trip.summary and "Zhou Enlai (Premier" in trip.summary
    quote = trip.quotes.get(source=source)
    assert quote.text == "State visit; met with Chairman Mao Tse-tung and Premier Chou En-lai."
    page = client.get(trip.get_absolute_url()).text
    assert "Mao Zedong" in page and "Zhou Enlai" in page
    assert "State visit; met with Chairman Mao Tse-tung and Premier Chou En-lai." in page
    assert "Office of the Historian" in page
    # Search finds it by the Office's Wade-Giles and by our spelling.
    assert trip in Encounter.objects.filter(search_vector="Hangzhou")
    assert trip in Encounter.objects.filter(search_vector="Zhou")


def test_unknowns_stay_unknown(imported):
    hsg = Encounter.objects.filter(provenance=HSG)
    # The Office's records never say who invited whom: an initiator is known only where a
    # data file's amendment cites the source that says so (an invitation in a joint statement).
    coded = hsg.exclude(initiated_by="unknown")
    assert not coded.filter(initiator_source=None).exists()
    assert all(e.initiator_source.encounter_id == e.pk and e.initiator_note for e in coded)
    uncoded = hsg.filter(initiator_source=None)
    assert uncoded.count() > 80
    assert set(uncoded.values_list("initiated_by", flat=True)) == {"unknown"}
    assert set(hsg.values_list("tone", flat=True)) == {"unknown"}
    assert not hsg.exclude(duration_minutes=None).exists()
    assert set(hsg.values_list("kind", flat=True)) == {"visit"}


def test_visitors_titles_and_levels(imported):
    deng = encounter_of("hsg-visit:3082")
    # Vice Premier by office, but China's paramount leader from December 1978: leader level,
    # derived (not typed) from the principals' ranks.
    assert (deng.venue, deng.level, deng.derived_level) == ("us", "leader", "leader")
    visitor = deng.participations.get(role="visitor")
    assert (visitor.person.slug, visitor.office) == (
        "deng-xiaoping",
        "Vice Premier of the State Council",
    )
    # The description names the US counterpart: linked as host.
    assert deng.participations.get(role="host").person.name == "Jimmy Carter"
    zhu = encounter_of("hsg-visit:1328")
    assert zhu.level == "leader"
    assert zhu.participations.get(role="visitor").office == "Premier of the State Council"
    # "Official visit": received by the President of the day.
    assert zhu.participations.get(role="host").person.slug == "bill-clinton"
    assert "“Prime Minister Zhu Rongji”" in zhu.sources.get(external_id="hsg-visit:1328").note
    # A place where the description names it; the others' places come from the curated files'
    # amendments (coverage/places-2026-12.json), each with the source that states it.
    assert encounter_of("hsg-visit:2952").place.name == "Mar-a-Lago"
    state_visit_2015 = encounter_of("hsg-visit:2804")
    assert state_visit_2015.place.name == "Blair House"
    assert state_visit_2015.sources.filter(url__contains="cgtnamerica.com").exists()
    # "President Bush" is resolved by the date.
    assert encounter_of("hsg-visit:912").participations.get(role="host").person.slug == (
        "george-h-w-bush"
    )
    assert encounter_of("hsg-visit:1581").participations.get(role="host").person.slug == (
        "george-w-bush"
    )


# Curated encounters and discrepancies ------------------------------------------------------


def test_woodside_record_is_linked_not_duplicated(imported):
    woodside = Encounter.objects.get(slug=WOODSIDE)
    assert encounter_of("hsg-visit:3196") == woodside
    assert woodside.provenance == Encounter.Provenance.CURATED
    assert woodside.start_date == datetime.date(2023, 11, 15)
    assert (
        not Encounter.objects.filter(
            provenance=HSG, start_date__lte="2023-11-15", end_date__gte="2023-11-15"
        )
        .exclude(pk=woodside.parent_id)
        .exists()
    )
    # Xi's APEC visit (3201) is the trip the Woodside meeting belongs to.
    apec = encounter_of("hsg-visit:3201")
    assert woodside.parent == apec
    assert apec.place.name == "San Francisco"
    assert apec.start_date == datetime.date(2023, 11, 14)


def test_woodside_discrepancy_note_on_the_detail_page(imported, client):
    discrepancy = Discrepancy.objects.get(encounter__slug=WOODSIDE)
    assert discrepancy.field == Discrepancy.Field.DATES
    assert (discrepancy.our_value, discrepancy.their_value) == (
        "15 November 2023",
        "12 November 2023",
    )
    assert discrepancy.source.external_id == "hsg-visit:3196"
    assert discrepancy.our_source.outlet == "The Almanac"
    assert "hsg-visit:3196" in discrepancy.note and "The Almanac" in discrepancy.note
    page = client.get(reverse("encounter-detail", args=[WOODSIDE])).text
    section = page[page.index('id="discrepancies"') :]
    assert "Where sources disagree" in section
    assert "15 November 2023" in section and "12 November 2023" in section
    assert "The Almanac" in section and "Office of the Historian" in section
    assert "hsg-visit:3196" in section


def test_detail_page_without_discrepancies_has_no_section(imported, client):
    page = client.get(encounter_of("hsg-trip:2877").get_absolute_url()).text
    assert 'id="discrepancies"' not in page


def test_blinken_june_2023_is_its_own_encounter_with_the_corrected_date(imported):
    trip = encounter_of("hsg-trip:4145")
    assert trip.provenance == HSG
    assert (trip.start_date, trip.end_date) == (
        datetime.date(2023, 6, 18),
        datetime.date(2023, 6, 19),
    )
    # Wang Yi, whom the record omits, from the State Department's readout.
    assert set(trip.participations.values_list("person__slug", flat=True)) == {
        "antony-blinken",
        "xi-jinping",
        "qin-gang",
        "wang-yi",
    }
    discrepancy = trip.discrepancies.get()
    assert (discrepancy.our_value, discrepancy.their_value) == (
        "18–19 June 2023",
        "17–19 June 2023",
    )
    # The correction cites an external source, not the project's own notes.
    assert "README" not in discrepancy.note
    assert discrepancy.our_source.url.startswith("https://www.state.gov/")
    assert discrepancy.our_source.kind == Source.Kind.US_READOUT
    assert "17–19 June 2023" in trip.sources.get(external_id="hsg-trip:4145").note


def test_misspelled_names_match_the_right_person(imported):
    kerry_2015 = encounter_of("hsg-trip:3570")
    xi = Person.objects.get(slug="xi-jinping")
    assert Person.objects.filter(name__in=["Xi Jingping", "Li Liqiang", "Wang Li"]).count() == 0
    assert kerry_2015.participations.filter(person=xi).exists()
    assert "“President Xi Jingping” (Xi Jinping)" in kerry_2015.sources.get().note
    assert "Xi Jingping" in xi.aliases.splitlines()
    assert kerry_2015.discrepancies.filter(
        our_value="Xi Jinping", their_value="Xi Jingping"
    ).exists()
    kerry_2016 = encounter_of("hsg-trip:3641")
    assert set(
        kerry_2016.participations.filter(side="prc").values_list("person__slug", flat=True)
    ) == {
        "xi-jinping",
        "wang-yi",
        "yang-jiechi",
    }
    # Errors in the quoted wording are recorded too.
    assert encounter_of("hsg-trip:3228").discrepancies.get().our_value == (
        "Strategic and Economic Dialogue"
    )
    kerry_2013 = encounter_of("hsg-trip:3345")
    assert kerry_2013.participations.filter(person__slug="li-keqiang").exists()
    # The same John Kerry as the curated climate envoy, here as Secretary of State.
    assert kerry_2013.participations.get(person__slug="john-kerry").office == "Secretary of State"


def test_names_are_resolved_by_title_and_date():
    found = gz.match_names(
        "Met with President Li and Premier Zhao.", datetime.date(1984, 4, 26), gz.TRIP_MENTIONS
    )
    assert [m.official.slug for m in found.matches] == ["li-xiannian", "zhao-ziyang"]
    found = gz.match_names(
        "Met with President Hu, Foreign Minister Li", datetime.date(2005, 7, 9), gz.TRIP_MENTIONS
    )
    assert [m.official.slug for m in found.matches] == ["hu-jintao", "li-zhaoxing"]
    found = gz.match_names(
        "Met with President Hu and Russian Prime Minister Putin.",
        datetime.date(2008, 8, 7),
        gz.TRIP_MENTIONS,
    )
    assert found.unmatched == ["Prime Minister Putin"]


# Idempotence ---------------------------------------------------------------------------------


def snapshot():
    models = (Encounter, Participation, Source, Quote, Person, Place, Discrepancy)
    return (
        [m.objects.count() for m in models],
        [m.history.count() for m in (Encounter, Participation, Source, Quote, Person, Discrepancy)],
        sorted(Encounter.objects.values_list("id", "updated_at", "search_document")),
        sorted(Person.objects.values_list("id", "aliases")),
    )


def test_second_import_changes_nothing(imported):
    before = snapshot()
    out = io.StringIO()
    call_command("import_hsg", stdout=out)
    assert snapshot() == before
    assert "0 imported now, 96 already present" in out.getvalue()


def test_editor_corrections_survive_a_reimport(imported):
    trip = encounter_of("hsg-trip:2844")
    Encounter.objects.filter(pk=trip.pk).update(title="Nixon in China")
    call_command("import_hsg", stdout=io.StringIO())
    assert Encounter.objects.get(pk=trip.pk).title == "Nixon in China"


def test_an_editor_unlinking_the_session_is_not_overruled(imported):
    woodside = Encounter.objects.get(slug=WOODSIDE)
    woodside.parent = None
    woodside.save()
    call_command("import_hsg", stdout=io.StringIO())
    assert Encounter.objects.get(slug=WOODSIDE).parent is None


def test_import_before_the_seed_waits_for_the_curated_encounter(db):
    err = io.StringIO()
    call_command("import_hsg", stdout=io.StringIO(), stderr=err)
    assert "hsg-visit:3196 not imported" in err.getvalue()
    assert not Source.objects.filter(external_id="hsg-visit:3196").exists()
    call_command("load_seed", verbosity=0)
    call_command("import_hsg", stdout=io.StringIO(), stderr=io.StringIO())
    assert encounter_of("hsg-visit:3196").slug == WOODSIDE
    assert Encounter.objects.get(slug=WOODSIDE).parent == encounter_of("hsg-visit:3201")


# The list, the timeline's span and provenance ---------------------------------------------


def test_list_spans_1972_onward_with_curated_and_hsg(imported, client):
    published = Encounter.objects.published()
    assert published.earliest().start_date == datetime.date(1972, 2, 21)
    assert published.latest().start_date.year == 2024
    # Oldest first, the list starts with Nixon's visit; the curated encounters are there too.
    oldest = client.get(reverse("encounter-list"), {"sort": "date"})
    assert oldest.status_code == 200
    assert oldest.context["encounters"][0].slug == "nixon-visit-china-1972-02-21"
    newest = client.get(reverse("encounter-list"))
    assert newest.context["encounters"][0].slug == "biden-xi-meeting-lima-2024-11-16"


def test_timeline_spans_1972_onward(imported, client):
    response = client.get(reverse("timeline"))
    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert timeline.total == Encounter.objects.published().count() == 84 + 15
    # Months (the page says "February 1972 to November 2024").
    assert timeline.first == datetime.date(1972, 2, 1)
    assert timeline.last == datetime.date(2024, 11, 1)
    # Five-year ticks over five decades.
    assert [t.label for t in timeline.ticks] == [str(y) for y in range(1975, 2025, 5)]
    marks = {m.url for lane in timeline.lanes for m in lane.marks}
    assert reverse("encounter-detail", args=["nixon-visit-china-1972-02-21"]) in marks
    assert reverse("encounter-detail", args=[WOODSIDE]) in marks
    # The Office's records alone, through the same filters.
    hsg = client.get(reverse("timeline"), {"provenance": "hsg"}).context["timeline"]
    assert (hsg.total, hsg.first) == (84, datetime.date(1972, 2, 1))
    assert hsg.last == datetime.date(2024, 4, 1)


def test_date_filters_reach_back_to_1972(imported, client):
    response = client.get(
        reverse("encounter-list"), {"date_after": "1972-01-01", "date_before": "1979-12-31"}
    )
    assert response.status_code == 200
    slugs = [e.slug for e in response.context["page_obj"].paginator.object_list]
    assert len(slugs) == 7
    assert "nixon-visit-china-1972-02-21" in slugs
    assert "deng-xiaoping-visit-us-1979-01-29" in slugs
    # An encounter matches when its days overlap the range: Nixon's trip from its last day.
    response = client.get(
        reverse("encounter-list"), {"date_after": "1972-02-28", "date_before": "1972-02-28"}
    )
    assert [e.slug for e in response.context["encounters"]] == ["nixon-visit-china-1972-02-21"]


def test_provenance_filter_on_the_list(imported, client):
    response = client.get(reverse("encounter-list"), {"provenance": "hsg"})
    assert response.status_code == 200
    encounters = response.context["page_obj"].paginator.object_list
    assert encounters.count() == 84
    assert {e.provenance for e in encounters} == {HSG}
    assert not encounters.filter(slug=WOODSIDE).exists()
    curated = client.get(reverse("encounter-list"), {"provenance": "curated"})
    assert WOODSIDE in {e.slug for e in curated.context["page_obj"].paginator.object_list}
    both = client.get(reverse("encounter-list"), {"provenance": "hsg", "person": "xi-jinping"})
    xi = [e.slug for e in both.context["page_obj"].paginator.object_list]
    assert "kerry-visit-china-2015-05-16" in xi and WOODSIDE not in xi


# Report and admin ---------------------------------------------------------------------------


def test_report_command(imported):
    out = io.StringIO()
    call_command("hsg_report", stdout=out)
    text = out.getvalue()
    assert "Records in the shipped files: 96 (66 trips, 30 visits)" in text
    assert "Records imported: 96" in text
    assert "Encounters created (provenance hsg): 84" in text
    assert "Encounters merged from several records: 11" in text
    assert f"{WOODSIDE}: hsg-visit:3196" in text
    assert "Discrepancies recorded: 19" in text
    assert "hsg-trip:2517: Prime Minister Putin" in text
    assert "hsg-trip:2323: Prince Sihanouk" in text
    # Every curated encounter the records describe is linked: nothing left to review.
    assert "Possible overlaps with curated encounters, to review: 0" in text


def test_report_flags_an_unlinked_overlap_with_a_curated_encounter(imported):
    from engagements.hsg.report import curated_overlaps

    woodside = Encounter.objects.get(slug=WOODSIDE)
    Encounter.objects.filter(pk=woodside.pk).update(parent=None)
    assert [(e.slug, c.slug) for e, c in curated_overlaps()] == [
        (encounter_of("hsg-visit:3201").slug, WOODSIDE)
    ]


def test_admin_report_page_is_staff_only(imported, client, admin_client):
    url = reverse("hsg-report")
    assert url == "/admin/hsg-report/"
    response = client.get(url)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Prince Sihanouk" in response.text
    assert "hsg-trip:1742, hsg-trip:2844" in response.text
    assert "Xi Jingping" in response.text


def test_discrepancy_admin_pages(imported, admin_client):
    changelist = reverse("admin:engagements_discrepancy_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200 and reverse("hsg-report") in response.text
    response = admin_client.get(changelist, {"q": "Jingping"})
    assert response.status_code == 200 and "Xi Jingping" in response.text
    assert admin_client.get(reverse("admin:engagements_discrepancy_add")).status_code == 200
    discrepancy = Discrepancy.objects.get(encounter__slug=WOODSIDE)
    change = reverse("admin:engagements_discrepancy_change", args=[discrepancy.pk])
    assert admin_client.get(change).status_code == 200


def test_discrepancy_rules_are_in_the_database(imported):
    source = Source.objects.get(external_id="hsg-visit:3196")
    with pytest.raises(IntegrityError), transaction.atomic():
        Discrepancy.objects.create(
            encounter=source.encounter,
            source=source,
            field="dates",
            our_value="15 November 2023",
            their_value="15 November 2023",
            note="Same value.",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Discrepancy.objects.create(
            encounter=source.encounter, source=source, field="place", our_value="a", their_value="b"
        )


def test_discrepancy_clean_requires_the_encounters_own_source(imported):
    from django.core.exceptions import ValidationError

    other = Source.objects.get(external_id="hsg-trip:2844")
    discrepancy = Discrepancy(
        encounter=Encounter.objects.get(slug=WOODSIDE),
        source=other,
        field="dates",
        our_value="15 November 2023",
        their_value="12 November 2023",
        note="Wrong source.",
    )
    with pytest.raises(ValidationError) as error:
        discrepancy.full_clean()
    assert "source" in error.value.message_dict


def test_detail_page_with_discrepancies_in_a_fixed_number_of_queries(
    imported, client, django_assert_max_num_queries
):
    woodside = Encounter.objects.get(slug=WOODSIDE)
    with django_assert_max_num_queries(12) as captured:
        response = client.get(woodside.get_absolute_url())
    assert response.status_code == 200
    assert sum("engagements_discrepancy" in q["sql"] for q in captured.captured_queries) == 1


def test_clear_synthetic_removes_discrepancies_on_synthetic_encounters(imported):
    call_command("generate_encounters", count=5, seed=3, verbosity=0)
    encounter = Encounter.objects.filter(provenance=Encounter.Provenance.SYNTHETIC).first()
    source = encounter.sources.first()
    Discrepancy.objects.create(
        encounter=encounter,
        source=source,
        field="dates",
        our_value="1 May 2020",
        their_value="2 May 2020",
        note="Test.",
    )
    before = Discrepancy.objects.exclude(encounter=encounter).count()
    call_command("clear_synthetic", verbosity=0)
    # The Office's 19, and the seed's own (where CBS News departs from the record).
    assert Discrepancy.objects.filter(source__external_id__startswith="hsg-").count() == 19
    assert Discrepancy.objects.count() == before


def test_a_broken_file_is_refused_with_a_message_and_writes_nothing(seeded, tmp_path):
    from django.core.management.base import CommandError

    broken = tmp_path / "travels.xml"
    broken.write_text("<trips><trip><id>1</id><start-date>1972-13-01</start-date></trip></trips>")
    with pytest.raises(CommandError, match="Cannot read the Office's records"):
        call_command("import_hsg", travels=broken, stdout=io.StringIO())
    broken.write_text("<trips><trip>")
    with pytest.raises(CommandError, match="Cannot read the Office's records"):
        call_command("import_hsg", travels=broken, stdout=io.StringIO())
    assert not Source.objects.filter(external_id__startswith="hsg-").exists()


def test_run_and_the_container_import_after_the_seed():
    from django.conf import settings

    makefile = (settings.BASE_DIR / "Makefile").read_text()
    entrypoint = (settings.BASE_DIR / "deploy" / "entrypoint.sh").read_text()
    for text in (makefile, entrypoint):
        assert text.index("manage.py load_seed") < text.index("manage.py import_hsg")


# Fixes to the Office's records ----------------------------------------------------------------


def test_a_trip_via_hong_kong_is_placed_where_prc_officials_were_met(imported):
    trip = encounter_of("hsg-trip:3183")
    assert (trip.place.name, trip.place.country, trip.venue) == ("Shenzhen", "CN", "prc")
    assert trip.title == "Hillary Clinton visit to Hong Kong and Shenzhen"


def test_a_trip_filed_twice_under_two_ids_is_one_encounter(imported):
    original = next(r for r in read_trips() if r.number == 4145)
    duplicate = dataclasses.replace(original, number=99999, text="Met with Qin Gang.")
    result = import_records([duplicate])
    assert result.created == []
    assert encounter_of("hsg-trip:99999") == encounter_of("hsg-trip:4145")


def test_addresses_published_before_the_arrival_rule_redirect_on_a_new_database(imported, client):
    # Earlier versions published these trips under their first traveller's start date.
    for old, current in (
        ("nixon-visit-china-1972-02-17", "nixon-visit-china-1972-02-21"),
        ("bill-clinton-visit-china-1998-06-24", "bill-clinton-visit-china-1998-06-25"),
    ):
        response = client.get(reverse("encounter-detail", args=[old]))
        assert response.status_code == 301
        assert response["Location"] == reverse("encounter-detail", args=[current])
    call_command("import_hsg", stdout=io.StringIO())  # idempotent: still one redirect each
    assert FormerSlug.objects.filter(slug="nixon-visit-china-1972-02-17").count() == 1


def test_an_earlier_import_of_nixon_1972_is_moved_to_the_presidents_arrival(imported):
    trip = encounter_of("hsg-trip:2844")
    # As earlier versions imported it: Rogers's start and the slug and title made from it.
    Discrepancy.objects.filter(encounter=trip).delete()
    Encounter.objects.filter(pk=trip.pk).update(
        slug="nixon-visit-china-1972-02-17",
        start_date=datetime.date(1972, 2, 17),
        beijing_date=None,
        title="Nixon visit to Shanghai, Beijing and Hangzhou",
    )
    call_command("import_hsg", stdout=io.StringIO())
    trip.refresh_from_db()
    assert trip.slug == "nixon-visit-china-1972-02-21"
    assert trip.start_date == datetime.date(1972, 2, 21)
    assert trip.title == "Nixon visit to Beijing, Hangzhou and Shanghai"
    assert trip.discrepancies.get().their_value == "17–28 February 1972"


# Counterparts, summaries and topics -------------------------------------------------------


def lead_sides(encounter):
    return set(
        encounter.participations.filter(role__in=Participation.LEAD_ROLES).values_list(
            "side", flat=True
        )
    )


def test_every_office_visit_lists_both_sides(imported):
    one_sided = [
        e.slug for e in Encounter.objects.filter(provenance=HSG) if lead_sides(e) != {"us", "prc"}
    ]
    assert one_sided == []
    # A state visit is received by the head of state of the day, named from the record.
    state_visit = encounter_of("hsg-visit:2804")
    obama = state_visit.participations.get(person__slug="barack-obama")
    assert (obama.role, obama.office) == ("host", gz.US_PRESIDENT)
    note = Source.objects.get(external_id="hsg-visit:2804").note
    assert "the record calls this a state visit" in note and "Barack Obama" in note
    clinton_1998 = encounter_of("hsg-trip:2599")
    assert clinton_1998.participations.get(person__slug="jiang-zemin").office == gz.PRC_PRESIDENT
    assert clinton_1998.level == "leader"


def test_counterparts_a_record_omits_cite_the_source_naming_them(imported):
    pompeo = encounter_of("hsg-trip:3800")
    xi = pompeo.participations.get(person__slug="xi-jinping")
    assert xi.side == "prc" and xi.office == gz.PRC_PRESIDENT
    transcript = pompeo.sources.get(url__contains="usembassy-china.org.cn")
    assert "Names Xi Jinping" in transcript.note
    liu_he = encounter_of("hsg-visit:2918")
    assert liu_he.participations.filter(person__slug="donald-trump", side="us").exists()
    assert liu_he.sources.filter(url__contains="presidency.ucsb.edu").exists()


def test_every_office_encounter_has_a_summary_and_topics(imported, client):
    office = Encounter.objects.filter(provenance=HSG)
    assert office.count() == 84
    assert not office.filter(summary="").exists()
    assert not office.filter(topics__isnull=True).exists()
    xi_2015 = encounter_of("hsg-visit:2804")
    assert xi_2015.summary == (
        "Xi Jinping (President of the People's Republic of China) visited the United States, "
        "24–25 September 2015. The principal on the other side was Barack Obama (President of "
        "the United States). The Office of the Historian's record describes the occasion as a "
        "state visit."
    )
    sed = encounter_of("hsg-trip:3495")
    assert {"diplomatic", "economic-trade"} <= set(sed.topics.values_list("slug", flat=True))
    assert "Strategic and Economic Dialogue" in sed.summary
    # The topic filter now finds visits before 2000.
    page = client.get(
        reverse("encounter-list"), {"topic": "diplomatic", "date_before": "1999-12-31"}
    )
    assert page.status_code == 200 and "Deng Xiaoping" in page.text


def test_a_reimport_completes_an_earlier_import_and_keeps_editors_text(imported):
    state_visit = encounter_of("hsg-visit:2804")
    state_visit.participations.filter(person__slug="barack-obama").delete()
    Encounter.objects.filter(pk=state_visit.pk).update(summary="")
    state_visit.topics.clear()
    edited = encounter_of("hsg-trip:2844")
    Encounter.objects.filter(pk=edited.pk).update(summary="An editor's summary.")
    call_command("import_hsg", stdout=io.StringIO())
    state_visit.refresh_from_db()
    assert lead_sides(state_visit) == {"us", "prc"}
    assert state_visit.summary.startswith("Xi Jinping (President")
    assert state_visit.topics.exists()
    assert Encounter.objects.get(pk=edited.pk).summary == "An editor's summary."
