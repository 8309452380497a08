"""Convert Natural Earth's land (TopoJSON from the `world-atlas` npm package) into the one
projected SVG path that /map/ draws: engagements/domain/geodata/land-110m.json.

Run once, by hand, when the outline should change (the result is committed, so the site and its
tests need neither npm nor this script):

    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python -m engagements.devtools.worldmap package/land-110m.json
"""

import json
import sys
from pathlib import Path

from engagements.domain import geo


def decode_arcs(topology):
    """TopoJSON arcs, delta-decoded and transformed to (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def unwrap(points):
    """Make a ring's longitudes continuous: a ring that crosses the antimeridian (Chukotka,
    Fiji) runs past 180° instead of jumping across the map."""
    out, offset, last = [], 0.0, None
    for longitude, latitude in points:
        if last is not None and abs(longitude + offset - last) > 180:
            offset += 360 if last > longitude + offset else -360
        last = longitude + offset
        out.append((last, latitude))
    return out


def ring_paths(points):
    """A ring's path, and its copy a full turn away where it crosses the antimeridian; the
    drawing's edges clip both (x is proportional to longitude in Equal Earth)."""
    points = unwrap(points)
    paths = [ring_path(points)]
    if max(lon for lon, _ in points) > 180:
        paths.append(ring_path([(lon - 360, lat) for lon, lat in points]))
    if min(lon for lon, _ in points) < -180:
        paths.append(ring_path([(lon + 360, lat) for lon, lat in points]))
    return paths


def ring_path(points):
    """One closed ring as SVG path data, dropping points that round to the previous one."""
    out, last = [], None
    for longitude, latitude in points:
        latitude = max(min(latitude, geo.NORTH), geo.SOUTH)
        x, y = geo.project(longitude, latitude)
        point = (round(x, 1), round(y, 1))
        if point != last:
            out.append(f"{point[0]:g} {point[1]:g}")
            last = point
    if len(out) < 3:
        return ""
    return "M" + "L".join(out) + "Z"


def convert(source):
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    parts = []
    for obj in topology["objects"].values():
        geometries = obj.get("geometries", [obj])
        for geometry in geometries:
            for polygon in polygons(geometry):
                rings = [ring_points(ring, arcs) for ring in polygon]
                if all(lat < geo.SOUTH for _lon, lat in rings[0]):
                    continue  # Antarctica, below the drawing
                for ring in rings:
                    parts.extend(filter(None, ring_paths(ring)))
    return "".join(parts)


def main(source):
    target = geo.LAND
    data = {
        "source": "Natural Earth 1:110m land (public domain), via world-atlas@2 land-110m.json",
        "projection": "Equal Earth, drawing units (engagements/domain/geo.py)",
        "width": geo.WIDTH,
        "height": geo.HEIGHT,
        "d": convert(source),
    }
    target.write_text(json.dumps(data) + "\n", encoding="utf-8")
    print(f"{target}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
