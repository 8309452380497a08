"""The map of /map/: places where encounters took place, drawn on the server over the world's land.

The land outline is Natural Earth's 1:110m land (public domain), converted once from the
`world-atlas` package's land-110m.json by engagements/devtools/worldmap.py into
geodata/land-110m.json: one SVG path, already projected, so nothing is fetched or computed at
run time (no tile server, no npm). See geodata/README.md for the licences.

The projection is Equal Earth (Šavrič, Patterson and Jenny, 2018): areas are true, so no
continent looks bigger than it is, and its formula is short enough to keep here.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

LAND = Path(__file__).resolve().parent / "geodata" / "land-110m.json"

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = 2.7066297319215575  # x at longitude 180°, latitude 0
Y_MAX = 1.3173627591574  # y at latitude 90°
WIDTH = 1000.0
SCALE = WIDTH / (2 * X_MAX)
# The drawing stops a little south of the southern tip of South America (Antarctica is left out).
NORTH, SOUTH = 84.0, -57.0


def project(longitude, latitude):
    """(x, y) in drawing units: x from 0 (180°W) to WIDTH (180°E), y down from the top.

    Longitudes past ±180° land outside the drawing (x is proportional to longitude)."""
    lam, phi = math.radians(float(longitude)), math.radians(float(latitude))
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2
        * math.sqrt(3)
        * lam
        * math.cos(theta)
        / (3 * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return (x + X_MAX) * SCALE, (TOP_Y - y) * SCALE


def _y(latitude):
    phi = math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    return theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))


TOP_Y = _y(NORTH)
HEIGHT = round((TOP_Y - _y(SOUTH)) * SCALE, 1)


@functools.cache
def land_path():
    """The land's SVG path data (read once per process)."""
    return json.loads(LAND.read_text(encoding="utf-8"))["d"]


@dataclass
class Spot:
    """A place on the map: where, how many encounters, and the link to them."""

    pk: int
    name: str
    label: str
    country: str
    count: int
    x: float
    y: float
    radius: float
    url: str
    selected: bool = False

    @property
    def hit_radius(self):
        """An invisible circle around a small spot, so that a finger can hit it on a phone."""
        return max(self.radius, HIT_RADIUS)


MIN_RADIUS, MAX_RADIUS = 3.0, 22.0
HIT_RADIUS = 10.0


def radius(count, biggest):
    """Circle area proportional to the count."""
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(count / biggest), 1)


def place_spots(queryset, selected_pk=None, link=None):
    """The map's places: one Spot per place with coordinates, sized by its encounters in
    `queryset`, largest drawn first (so smaller ones stay clickable on top). One query.

    Returns (spots, unmapped): unmapped counts the encounters with no place or a place without
    coordinates, which the page reports rather than hides.
    """
    from django.db.models import Count

    rows = list(
        queryset.order_by()
        .values(
            "place",
            "place__name",
            "place__city",
            "place__country",
            "place__latitude",
            "place__longitude",
        )  # fmt: skip
        .annotate(n=Count("pk"))
    )
    mapped = [row for row in rows if row["place__latitude"] is not None]
    unmapped = sum(row["n"] for row in rows if row["place__latitude"] is None)
    biggest = max((row["n"] for row in mapped), default=1)
    spots = []
    for row in mapped:
        x, y = project(row["place__longitude"], row["place__latitude"])
        name, city = row["place__name"], row["place__city"]
        label = name if not city or city == name else f"{name}, {city}"
        spots.append(
            Spot(
                pk=row["place"],
                name=name,
                label=f"{label} ({row['place__country']})",
                country=row["place__country"],
                count=row["n"],
                x=round(x, 1),
                y=round(y, 1),
                radius=radius(row["n"], biggest),
                url=link(row["place"]) if link else "",
                selected=row["place"] == selected_pk,
            )
        )
    return in_drawing_order(spots), unmapped


def in_drawing_order(spots):
    """Largest first, so that smaller places nearby stay clickable on top of it; but places at
    the very same point (a city and a hotel in it given the city's coordinates) are drawn as
    one stack, busiest last, so that a click there opens the city and not its smallest venue
    (the others are in the table below the map)."""
    stacks = {}
    for spot in spots:
        stacks.setdefault((spot.x, spot.y), []).append(spot)
    ordered = []
    for stack in sorted(stacks.values(), key=lambda s: (-max(p.count for p in s), s[0].label)):
        ordered += sorted(stack, key=lambda spot: (spot.count, spot.label))
    return ordered
