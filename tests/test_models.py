"""The business rules hold in the database itself: written around the forms, they still fail."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from engagements.models import Encounter, Participation, Place, Quote
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db


def assert_rejected(constraint_name, make):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        make()
    assert constraint_name in str(error.value)


def test_end_date_before_start_fails_in_database():
    encounter = EncounterFactory(start_date=datetime.date(2021, 3, 18))
    assert_rejected(
        "encounter_end_not_before_start",
        lambda: Encounter.objects.filter(pk=encounter.pk).update(
            end_date=datetime.date(2021, 3, 17)
        ),
    )


def test_end_date_defaults_to_start_date():
    encounter = EncounterFactory(start_date=datetime.date(2021, 2, 10), end_date=None)
    encounter.refresh_from_db()
    assert encounter.end_date == datetime.date(2021, 2, 10)


def test_duplicate_participation_fails_in_database():
    participation = ParticipationFactory()
    assert_rejected(
        "participation_one_per_person",
        lambda: Participation.objects.create(
            encounter=participation.encounter, person=participation.person, side="us"
        ),
    )


def test_duplicate_slug_fails_in_database():
    EncounterFactory(slug="anchorage-talks")
    assert_rejected("engagements_encounter_slug", lambda: EncounterFactory(slug="anchorage-talks"))


def test_beijing_date_must_be_within_a_day_of_washington():
    assert_rejected(
        "encounter_beijing_date_within_a_day",
        lambda: EncounterFactory(
            start_date=datetime.date(2021, 9, 9), beijing_date=datetime.date(2021, 9, 12)
        ),
    )
    ok = EncounterFactory(
        start_date=datetime.date(2021, 9, 9), beijing_date=datetime.date(2021, 9, 10)
    )
    assert ok.pk


def test_encounter_cannot_be_its_own_parent():
    encounter = EncounterFactory()
    assert_rejected(
        "encounter_not_its_own_parent",
        lambda: Encounter.objects.filter(pk=encounter.pk).update(parent=encounter),
    )


def test_duration_must_be_positive():
    assert_rejected("encounter_duration_positive", lambda: EncounterFactory(duration_minutes=0))


def test_published_encounter_has_publication_time():
    encounter = EncounterFactory()
    assert_rejected(
        "encounter_published_has_published_at",
        lambda: Encounter.objects.filter(pk=encounter.pk).update(published_at=None),
    )


def test_quote_needs_a_speaker_or_a_description():
    encounter = EncounterFactory()
    assert_rejected(
        "quote_has_speaker_or_description",
        lambda: Quote.objects.create(encounter=encounter, text="No comment."),
    )
    Quote.objects.create(encounter=encounter, text="No comment.", speaker=PersonFactory())


def test_place_country_must_be_an_iso_code():
    assert_rejected(
        "place_country_iso_alpha2",
        lambda: Place.objects.create(name="Somewhere", country="cn"),
    )


def test_place_coordinates_both_or_neither():
    assert_rejected(
        "place_coordinates_both_and_in_range",
        lambda: Place.objects.create(name="Half", country="US", latitude=10),
    )
    assert_rejected(
        "place_coordinates_both_and_in_range",
        lambda: Place.objects.create(name="Far", country="US", latitude=95, longitude=0),
    )


def test_source_url_unique_within_an_encounter():
    source = SourceFactory()
    assert_rejected(
        "source_unique_url_per_encounter",
        lambda: SourceFactory(encounter=source.encounter, url=source.url),
    )
    # Print sources have no URL: several may share the empty value.
    SourceFactory(encounter=source.encounter, url="")
    SourceFactory(encounter=source.encounter, url="")


def test_queryset_verbs_chain():
    person = PersonFactory()
    published = EncounterFactory()
    ParticipationFactory(encounter=published, person=person)
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None)
    ParticipationFactory(encounter=draft, person=person)
    assert list(Encounter.objects.published().involving(person)) == [published]


def test_cameo_codes():
    assert EncounterFactory.build(kind="phone_call").cameo_code == "041"
    assert EncounterFactory.build(kind="visit").cameo_code == "042"
    assert EncounterFactory.build(kind="meeting", venue="third_country").cameo_code == "044"
    assert EncounterFactory.build(kind="talks").cameo_code == "046"


def test_search_vector_covers_related_names():
    encounter = EncounterFactory(title="Climate talks")
    ParticipationFactory(encounter=encounter, person=PersonFactory(name="Xie Zhenhua"))
    encounter.refresh_search_document()
    found = Encounter.objects.filter(search_vector="zhenhua")
    assert list(found) == [encounter]


def test_every_model_field_has_help_text():
    from django.apps import apps

    missing = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("engagements").get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if field.concrete
        and not field.auto_created
        and field.editable
        and field.name not in {"encounter", "created_at", "updated_at"}
        and not field.help_text
    ]
    assert missing == []
