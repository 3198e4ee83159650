"""Facilities as they stood on a day, filtered: the index, its CSV, the API and the map.

    read = Facilities(day, filters)
    read.facilities()      # the facilities found, capacity in GWh/yr annotated, in order
    read.facets(), read.count()   # counts of each filter value (cached under the data version)
    read.export()          # every facility found, for the CSV
    read.marks()           # the ones with coordinates, as marks on the world map (cached)
    read.mapped(), read.mapped_count()   # the same as rows in name order, and their number

As of a day, a facility is shown when something known by then speaks of it: its profile's
source was published by the day, or a milestone at it has a claim known by the day. A
facility with neither (no source, no claim at any of its milestones) is shown on every day,
as nothing dates it. Its profile (status, capacity) is the one stored today: facilities keep
no dated history of their own.

Capacity is compared in GWh/yr where the unit allows (claims.capacity: GWh, MWh, and cells
with the Ah and nominal voltage of the cell made there). Tonnes, and cells without both
figures, are not converted: such a facility has no GWh/yr figure, is listed as "not
convertible", and a capacity range leaves it out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Lower

from claims import geo
from claims.cache import remember
from claims.capacity import gwh_expression
from claims.models import Claim, Facility
from claims.models.base import CapacityUnit, format_quantity
from claims.read.filters import country_name, given_text, given_values

SORT_ORDERS = {
    "name": [Lower("name"), "pk"],
    "company": [Lower("company__name"), Lower("name"), "pk"],
    "capacity": [F("capacity_gwh").desc(nulls_last=True), Lower("name"), "pk"],
    "country": ["country", Lower("name"), "pk"],
}

FACETS = ("country", "company", "status", "technology", "kind")
#: The company facet lists the companies with most facilities (and the one chosen).
COMPANY_FACETS = 30


@dataclass(frozen=True)
class FacilityFilters:
    """The facility index's validated filters (from its form or the API's query).
    `nothing`: some parameter was invalid, and the list is empty."""

    country: tuple[str, ...] = ()
    company: str = ""
    status: tuple[str, ...] = ()
    technology: str = ""
    kind: tuple[str, ...] = ()
    capacity_min: Decimal | None = None
    capacity_max: Decimal | None = None
    q: str = ""
    sort: str = "name"
    nothing: bool = False

    @classmethod
    def of(cls, values: Mapping) -> FacilityFilters:
        """From cleaned values (missing or empty ones do not filter)."""
        return cls(
            country=given_values(values, "country", upper=True),
            company=given_text(values, "company", lower=True),
            status=given_values(values, "status"),
            technology=values.get("technology") or "",
            kind=given_values(values, "kind"),
            capacity_min=values.get("capacity_min"),
            capacity_max=values.get("capacity_max"),
            q=given_text(values, "q"),
            sort=values.get("sort") or "name",
        )

    @classmethod
    def none(cls) -> FacilityFilters:
        return cls(nothing=True)


NO_FILTERS = FacilityFilters()


@dataclass(frozen=True)
class Mark:
    """A facility on the map: where (x, y in the map's units), how big (r), its shape's
    path data, and what its title and the table say."""

    slug: str
    name: str
    company: str
    status: str
    status_label: str
    country: str
    latitude: float
    longitude: float
    capacity: str
    gwh: Decimal | None
    x: float
    y: float
    r: float
    d: str


#: The shape of each status's mark (with its colour, from the stylesheet): status is never
#: told by colour alone.
STATUS_SHAPES = {
    Facility.Status.ANNOUNCED: "triangle",
    Facility.Status.PRE_CONSTRUCTION: "diamond",
    Facility.Status.CONSTRUCTION: "square",
    Facility.Status.PILOT_OPERATION: "ring",
    Facility.Status.OPERATING: "circle",
    Facility.Status.SHELVED: "bar",
    Facility.Status.CANCELLED: "cross",
}

#: Mark radius (map units = degrees): a fixed small mark when the capacity is not in GWh,
#: else growing with the square root of GWh/yr (area with capacity), up to a cap.
SMALL_MARK = 1.2
MARK_PER_ROOT_GWH = 0.8
LARGEST_MARK = 7.0


def mark_radius(gwh: Decimal | None) -> float:
    if gwh is None:
        return SMALL_MARK
    return round(min(LARGEST_MARK, SMALL_MARK + MARK_PER_ROOT_GWH * math.sqrt(float(gwh))), 1)


def shape(kind: str, x: float, y: float, r: float) -> str:
    """SVG path data of a mark's shape centred on (x, y) with radius r."""

    def n(v: float) -> str:
        return f"{v:.2f}".rstrip("0").rstrip(".")

    if kind in ("circle", "ring"):
        return f"M{n(x - r)} {n(y)}a{n(r)} {n(r)} 0 1 0 {n(2 * r)} 0a{n(r)} {n(r)} 0 1 0 {n(-2 * r)} 0Z"
    if kind == "square":
        s = r * 0.9
        return f"M{n(x - s)} {n(y - s)}h{n(2 * s)}v{n(2 * s)}h{n(-2 * s)}Z"
    if kind == "diamond":
        return f"M{n(x)} {n(y - r)}L{n(x + r)} {n(y)}L{n(x)} {n(y + r)}L{n(x - r)} {n(y)}Z"
    if kind == "triangle":
        return f"M{n(x)} {n(y - r)}L{n(x + r)} {n(y + r * 0.8)}L{n(x - r)} {n(y + r * 0.8)}Z"
    if kind == "bar":
        return f"M{n(x - r)} {n(y - r / 3)}h{n(2 * r)}v{n(2 * r / 3)}h{n(-2 * r)}Z"
    # a cross: two bars
    w = r / 3
    return (
        f"M{n(x - r)} {n(y - w)}h{n(2 * r)}v{n(2 * w)}h{n(-2 * r)}Z"
        f"M{n(x - w)} {n(y - r)}h{n(2 * w)}v{n(2 * r)}h{n(-2 * w)}Z"
    )


def legend() -> list[dict]:
    """Each status with its shape, for the map's key."""
    return [
        {
            "status": status.value,
            "label": status.label,
            "shape": STATUS_SHAPES[status],
            "d": shape(STATUS_SHAPES[status], 6, 6, 4.5),
        }
        for status in Facility.Status
    ]


class Facilities:
    """The facilities as they stood on `day`, narrowed by `filters`."""

    def __init__(self, day: date, filters: FacilityFilters = NO_FILTERS):
        self.day = day
        self.filters = filters

    def __repr__(self) -> str:
        return f"Facilities({self.day.isoformat()}, {self.filters!r})"

    # -- querysets --------------------------------------------------------------------------

    def known(self) -> QuerySet:
        """Every facility known by the day (see the module's note), its capacity in GWh/yr
        annotated as `capacity_gwh` (null when not convertible)."""
        at_facility = Claim.objects.filter(milestone__facility=OuterRef("pk"))
        known = (
            Q(source__published_on_latest__lte=self.day)
            | Exists(at_facility.filter(stated_on_latest__lte=self.day))
            | Q(source__isnull=True) & ~Exists(at_facility)
        )
        return Facility.objects.filter(known).annotate(capacity_gwh=gwh_expression())

    def narrowed(self, facilities: QuerySet, *, skip: str = "") -> QuerySet:
        """Narrowed by every filter but `skip`; empty when a filter was invalid."""
        f = self.filters
        if f.nothing:
            return facilities.none()
        if f.country and skip != "country":
            facilities = facilities.filter(country__in=f.country)
        if f.company and skip != "company":
            facilities = facilities.filter(company__slug=f.company)
        if f.status and skip != "status":
            facilities = facilities.filter(status__in=f.status)
        if f.technology and skip != "technology":
            facilities = facilities.filter(technology__slug=f.technology)
        if f.kind and skip != "kind":
            facilities = facilities.filter(kind__in=f.kind)
        if f.capacity_min is not None:
            facilities = facilities.filter(capacity_gwh__gte=f.capacity_min)
        if f.capacity_max is not None:
            facilities = facilities.filter(capacity_gwh__lte=f.capacity_max)
        if f.q:
            facilities = facilities.filter(
                Q(name__icontains=f.q)
                | Q(company__name__icontains=f.q)
                | Q(company__native_name__icontains=f.q)
                | Q(city__icontains=f.q)
                | Q(province__icontains=f.q)
            )
        return facilities

    def facilities(self) -> QuerySet:
        """The facilities found, in the filters' order, with their company and technology."""
        order = SORT_ORDERS.get(self.filters.sort, SORT_ORDERS["name"])
        return self.narrowed(self.known()).select_related("company", "technology").order_by(*order)

    # -- counts (cached under the data version) --------------------------------------------

    def facets(self) -> dict[str, list[dict]]:
        """For each filter, the count of each value under all the other filters, as the
        milestone list shows them; cached."""
        if self.filters.nothing:
            return {name: [] for name in FACETS}
        return remember("facility-facets", (self.day, self.filters), self._facets)

    def count(self) -> int:
        """The number of facilities found, added up from the status facet."""
        chosen = set(self.filters.status)
        return sum(f["n"] for f in self.facets()["status"] if not chosen or f["value"] in chosen)

    def _facets(self) -> dict[str, list[dict]]:
        known = self.known()
        fields = {
            "country": ("country", None),
            "company": ("company__slug", "company__name"),
            "status": ("status", None),
            "technology": ("technology__slug", "technology__name"),
            "kind": ("kind", None),
        }
        labels = {
            "country": country_name,
            "status": lambda v: Facility.Status(v).label,
            "kind": lambda v: Facility.Kind(v).label,
        }
        chosen = {
            "country": set(self.filters.country),
            "company": {self.filters.company} - {""},
            "status": set(self.filters.status),
            "technology": {self.filters.technology} - {""},
            "kind": set(self.filters.kind),
        }
        facets = {}
        for name, (field, label_field) in fields.items():
            rows = (
                self.narrowed(known, skip=name)
                .order_by()
                .values(*[f for f in (field, label_field) if f])
                .annotate(n=Count("pk"))
            )
            found = [
                {
                    "value": str(row[field]),
                    "label": row[label_field] if label_field else labels[name](row[field]),
                    "n": row["n"],
                    "selected": str(row[field]) in chosen[name],
                }
                for row in rows
                if row[field] not in (None, "")
            ]
            found.sort(key=lambda f: (not f["selected"], -f["n"], str(f["label"])))
            facets[name] = found[:COMPANY_FACETS] if name == "company" else found
        return facets

    # -- exports and the map ---------------------------------------------------------------

    def export(self) -> Iterator[Facility]:
        return self.facilities().iterator(chunk_size=2000)

    def mapped(self) -> QuerySet:
        """The facilities found that have coordinates, with their company, in name order (as
        the index reads them: a page at a time, along facility_name_idx)."""
        return self._located().select_related("company").order_by(Lower("name"), "pk")

    def _located(self) -> QuerySet:
        return self.narrowed(self.known()).filter(latitude__isnull=False, longitude__isnull=False)

    def mapped_count(self) -> int:
        """How many facilities found have coordinates; cached."""
        return remember("facility-mapped-count", (self.day, self.filters), self.mapped().count)

    def marks(self) -> list[Mark]:
        """The facilities found that have coordinates, as marks on the world map, the
        largest first (so that smaller marks are drawn over them); cached."""
        return remember("facility-marks", (self.day, self.filters), self._marks)

    def _marks(self) -> list[Mark]:
        rows = (
            self._located()
            .order_by(F("capacity_gwh").desc(nulls_last=True), Lower("name"), "pk")
            .values(
                "slug",
                "name",
                "company__name",
                "status",
                "country",
                "latitude",
                "longitude",
                "capacity_value",
                "capacity_unit",
                "capacity_gwh",
            )
        )
        marks = []
        for row in rows:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            x, y = geo.project(lon, lat)
            gwh = row["capacity_gwh"]
            r = mark_radius(gwh)
            status = Facility.Status(row["status"])
            capacity = format_quantity(
                row["capacity_value"],
                row["capacity_unit"] and CapacityUnit(row["capacity_unit"]).label,
            )
            marks.append(
                Mark(
                    slug=row["slug"],
                    name=row["name"],
                    company=row["company__name"],
                    status=status.value,
                    status_label=status.label,
                    country=str(row["country"]),
                    latitude=lat,
                    longitude=lon,
                    capacity=capacity,
                    gwh=gwh,
                    x=x,
                    y=y,
                    r=r,
                    d=shape(STATUS_SHAPES[status], x, y, r),
                )
            )
        return marks


def map_context(marks: list | Callable[[], list], *, key: str) -> dict:
    """What includes/facility_map_svg.html needs: the marks (or a function giving them,
    called only when the drawn map is not already cached), and `key`, naming the marks shown
    (the filters), for the drawn map kept under the data version."""
    return {
        "map_key": key,
        "world": geo.world(),
        "map_width": geo.WIDTH,
        "map_height": geo.HEIGHT,
        "marks": marks,
        "legend": legend(),
    }
