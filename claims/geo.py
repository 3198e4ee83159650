"""World geometry for the map: country outlines and places, projected for SVG.

The outlines are Natural Earth's 1:110m countries, bundled as TopoJSON
(claims/geodata/countries-110m.json, see the README beside it). A topology stores each
shared border once, as an "arc" of points quantised to integers and delta-encoded; polygons
are rings of arc indices (a negative index ~i means arc i reversed). This module decodes
that into rings of (longitude, latitude), projects them equirectangularly (one SVG unit per
degree, north up, Antarctica left out) and writes each country as an SVG path `d` string
with coordinates rounded to one decimal. That is done once per process, on first use.

Numbers and path data only: the map's template writes the tags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TOPOLOGY = Path(__file__).parent / "geodata" / "countries-110m.json"

#: The map's extent: every longitude, latitudes from NORTH down to SOUTH (Antarctica and
#: the far south are left out; no facility is there).
NORTH, SOUTH = 84.0, -58.0
WIDTH = 360.0
HEIGHT = NORTH - SOUTH

#: Points closer than this (in SVG units, i.e. degrees) to the last point kept are dropped,
#: and rings smaller than it across are left out: a light simplification that keeps the page
#: small, invisible at the map's sizes.
TOLERANCE = 0.5

#: Natural Earth's numeric code for Antarctica, left out of the map.
ANTARCTICA = "010"


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """(x, y) in SVG units of a place: equirectangular, x east from 180°W, y south from
    NORTH."""
    return round(longitude + 180.0, 1), round(NORTH - latitude, 1)


@dataclass(frozen=True)
class Country:
    """A country's outline: its ISO 3166-1 numeric code, name and SVG path data."""

    code: str
    name: str
    d: str


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Each arc as a list of (longitude, latitude): undo the delta encoding and the
    quantisation of the topology's transform."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A closed ring stitched from arcs (each arc after the first starts where the last
    ended, so its first point is dropped)."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    """A Polygon's or MultiPolygon's polygons, each a list of rings of (lon, lat)."""
    if geometry.get("type") == "Polygon":
        shapes = [geometry["arcs"]]
    elif geometry.get("type") == "MultiPolygon":
        shapes = geometry["arcs"]
    else:
        return []
    return [[ring(indices, arcs) for indices in shape] for shape in shapes]


def path_data(rings: list[list[tuple[float, float]]]) -> str:
    """SVG path data of rings, projected and rounded. A point within TOLERANCE of the last
    one kept is dropped, and a ring left with fewer than three points, or smaller than
    TOLERANCE across, is skipped. A ring that crosses the antimeridian (Russia's and Fiji's
    easternmost parts) is drawn east of 180°, where the map's edge cuts it off."""
    parts = []
    for points in rings:
        longitudes = [lon for lon, _ in points]
        crosses = bool(points) and max(longitudes) - min(longitudes) > 180
        projected: list[tuple[float, float]] = []
        for lon, lat in points:
            if crosses and lon < 0:
                lon += 360.0
            point = project(lon, max(lat, SOUTH))
            if not projected or _far(point, projected[-1]):
                projected.append(point)
        if len(projected) > 1 and not _far(projected[0], projected[-1]):
            projected.pop()
        xs, ys = [x for x, _ in projected], [y for _, y in projected]
        if len(projected) < 3 or max(max(xs) - min(xs), max(ys) - min(ys)) < TOLERANCE:
            continue
        coords = " ".join(f"{_num(x)} {_num(y)}" for x, y in projected)
        parts.append(f"M{coords}Z")
    return "".join(parts)


def _far(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) >= TOLERANCE or abs(a[1] - b[1]) >= TOLERANCE


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def countries_of(topology: dict) -> list[Country]:
    arcs = decode_arcs(topology)
    found = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = str(geometry.get("id", ""))
        if code == ANTARCTICA:
            continue
        rings = [r for polygon in polygons(geometry, arcs) for r in polygon]
        d = path_data(rings)
        if d:
            name = (geometry.get("properties") or {}).get("name", "")
            found.append(Country(code=code, name=name, d=d))
    return found


@cache
@cache  # a data file read once per process, not a formatter: the outlines never change
def world() -> tuple[Country, ...]:
    """The bundled country outlines, decoded and projected once per process."""
    with TOPOLOGY.open(encoding="utf-8") as f:
        return tuple(countries_of(json.load(f)))
