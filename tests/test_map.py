"""/map/: where encounters took place, drawn on the server, honouring the list's filters."""

import importlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from engagements.domain import geo
from engagements.hsg import gazetteer
from engagements.models import Encounter, Place
from tests.factories import EncounterFactory, PlaceFactory

pytestmark = pytest.mark.django_db
MAP = reverse("map")


def test_every_seed_and_gazetteer_place_has_coordinates(seeded):
    call_command("import_hsg", stdout=io.StringIO())
    assert Place.objects.count() >= 20
    assert not Place.objects.filter(latitude__isnull=True).exists()
    assert set(gazetteer.PLACE_COORDINATES) == set(gazetteer.PLACES)


def test_places_are_sized_by_their_count_and_honour_the_filters(client, seeded):
    response = client.get(MAP)
    spots = {spot.name: spot for spot in response.context["spots"]}
    tianjin, lima = spots["Tianjin"], spots["Xi Jinping's hotel, Lima"]
    assert tianjin.count == Encounter.objects.filter(place__name="Tianjin").count() == 6
    assert tianjin.radius > lima.radius
    assert response.context["unmapped"] == 1  # the first Biden–Xi call records no place
    assert 'aria-label="Tianjin (CN): 6 encounters"' in response.text
    assert 'class="land" d="M' in response.text
    filtered = client.get(MAP, {"level": "envoy"}).context["spots"]
    assert [(spot.name, spot.count) for spot in filtered] == [("Tianjin", 3), ("Shanghai", 2)]


def test_a_place_lists_its_encounters(client, seeded):
    tianjin = Place.objects.get(name="Tianjin")
    response = client.get(MAP, {"level": "envoy", "place": tianjin.pk})
    assert response.context["place"].name == "Tianjin"
    titles = [e.title for e in response.context["place_encounters"]]
    assert len(titles) == 3 and "Kerry–Wang Yi video call" in titles
    assert 'id="place-encounters"' in response.text
    # A place with no matching encounters, or nonsense, lists nothing and breaks nothing.
    assert client.get(MAP, {"place": "999999"}).context["place"] is None
    assert client.get(MAP, {"place": "x" * 40}).status_code == 200


def test_bad_filters_answer_400(client, db):
    assert client.get(MAP, {"date_before": "soon"}).status_code == 400


def test_projection_puts_places_where_they_are():
    beijing = geo.project(116.4, 39.9)
    washington = geo.project(-77.0, 38.9)
    shanghai = geo.project(121.5, 31.2)
    assert washington[0] < geo.WIDTH / 2 < beijing[0] < shanghai[0]
    assert beijing[1] < shanghai[1]  # north is up
    assert 0 < beijing[1] < geo.HEIGHT
    assert geo.project(-180, 0)[0] == pytest.approx(0, abs=0.01)
    assert geo.project(180, 0)[0] == pytest.approx(geo.WIDTH, abs=0.01)


def test_migration_fills_coordinates_of_existing_places(db):
    from django.apps import apps

    beijing = PlaceFactory(name="Beijing", city="Beijing", country="CN")
    other = PlaceFactory(name="Somewhere", city="Nowhere", country="FR")
    migration = importlib.import_module("engagements.migrations.0010_place_coordinates")
    migration.add_coordinates(apps, None)
    beijing.refresh_from_db()
    other.refresh_from_db()
    assert (str(beijing.latitude), str(beijing.longitude)) == gazetteer.PLACE_COORDINATES["Beijing"]
    assert other.latitude is None


def test_admin_warns_about_a_place_without_coordinates(admin_client, db):
    place = PlaceFactory(name="Somewhere", city="Nowhere", country="FR")
    EncounterFactory(place=place)
    listing = admin_client.get(reverse("admin:engagements_place_changelist"))
    assert "1 place has no coordinates" in listing.text
    page = admin_client.get(reverse("admin:engagements_place_change", args=[place.pk]))
    assert "has no coordinates: its encounters are not on the public map" in page.text
    missing = admin_client.get(
        reverse("admin:engagements_place_changelist"), {"coordinates": "missing"}
    )
    assert list(missing.context["cl"].result_list) == [place]
