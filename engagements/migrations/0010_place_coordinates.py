"""Coordinates for the places of the seed and the Office of the Historian gazetteer, where a row
has none, so that /map/ can draw them. City-centre values (engagements/hsg/gazetteer.py,
PLACE_COORDINATES; the seed's places carry their own in engagements/fixtures/seed.json)."""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed.json"


def known_coordinates():
    """{(name, city, country): (latitude, longitude)} from the gazetteer and the seed."""
    from engagements.hsg import gazetteer

    known = {
        gazetteer.PLACES[key]: coordinates
        for key, coordinates in gazetteer.PLACE_COORDINATES.items()
    }
    for place in json.loads(SEED.read_text(encoding="utf-8")).get("places", []):
        if place.get("latitude") is not None:
            key = (place["name"], place.get("city", ""), place["country"])
            known.setdefault(key, (place["latitude"], place["longitude"]))
    return known


def add_coordinates(apps, schema_editor):
    Place = apps.get_model("engagements", "Place")
    for (name, city, country), (latitude, longitude) in known_coordinates().items():
        Place.objects.filter(
            name=name, city=city, country=country, latitude__isnull=True
        ).update(latitude=latitude, longitude=longitude)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0009_data_version")]

    operations = [migrations.RunPython(add_coordinates, migrations.RunPython.noop)]
