"""The capacity pipeline: how much capacity was planned, under construction, operating and
cancelled, in GWh a year, as the tracker stood on a day.

    pipe = Pipeline(AsOf(day), PipelineFilters(country=("CN",), group="year"))
    pipe.table()          # rows (year, country, company or technology) x status, in GWh/yr
    pipe.promised()       # "promised for year Y vs in place by Y" per country and company
    pipe.not_convertible()  # capacity stated in units that cannot be turned into GWh/yr
    pipe.converted()      # capacity stated in cells, turned into GWh/yr, and from what

The model (also on the page and in the methodology):

- A unit of capacity is a milestone of kind capacity phase or production start that carries a
  capacity, stated by the day (at a facility or not). Its status comes from the read model:
  achieved -> operating; cancelled -> cancelled; any other status -> planned, or under
  construction when its facility's recorded status is construction or pilot operation (that
  status is today's, so it is applied only in today's view, not in past views).
  Its year is the achievement's year when operating, else the current target's year (none:
  undated).
- A facility's own planned capacity is a unit only when no milestone at the facility carries
  a capacity (no double counting). Its status is the facility's recorded one (announced and
  pre-construction: planned; construction and pilot operation: under construction; operating;
  shelved and cancelled: cancelled); it has no year. In a past view it counts when the
  facility index shows the facility that day (its profile's source published, or a claim at
  it known, by then; or nothing dates it), and then as planned.
- Units: GWh/yr as stated, MWh/yr / 1000; cells a year (cells a week x 52) x the cell's Ah x
  its nominal voltage / 1e9 when both are recorded. The cell is the one made at the facility:
  its Ah and nominal voltage are recorded on the facility (`Facility.cell_ah`,
  `Facility.cell_nominal_voltage`); a milestone that states its own cell's Ah (a phase "able
  to make 60Ah cells") is converted with that Ah and its facility's voltage. Cells without
  both figures, and tonnes a year, are counted and listed as not convertible; nothing is
  guessed.

Every unit stated by the day is read once (two queries) and cached under the data version,
as the status census is; the filters and the grouping are then added up from it, so the page
costs the same few queries whatever is chosen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, OuterRef
from django.urls import reverse

from claims.cache import remember
from claims.capacity import CELL_UNITS, to_gwh
from claims.models import Facility, Milestone
from claims.models.base import CapacityUnit
from claims.read.asof import AsOf
from claims.read.facilities import Facilities
from claims.read.filters import country_name
from claims.status import Status

PLANNED = "planned"
CONSTRUCTION = "construction"
OPERATING = "operating"
CANCELLED = "cancelled"
#: The stacks, bottom to top, and their labels.
STAGES = (OPERATING, CONSTRUCTION, PLANNED, CANCELLED)
STAGE_LABELS = {
    OPERATING: "Operating",
    CONSTRUCTION: "Under construction",
    PLANNED: "Planned",
    CANCELLED: "Cancelled",
}
GROUPS = {
    "year": "Year",
    "country": "Country",
    "company": "Company",
    "technology": "Technology",
}
UNDATED = "Undated"

#: Milestone kinds whose capacity counts.
CAPACITY_KINDS = (Milestone.Kind.CAPACITY_PHASE, Milestone.Kind.PRODUCTION_START)
#: A facility's recorded status -> its stage.
FACILITY_STAGES = {
    Facility.Status.ANNOUNCED: PLANNED,
    Facility.Status.PRE_CONSTRUCTION: PLANNED,
    Facility.Status.CONSTRUCTION: CONSTRUCTION,
    Facility.Status.PILOT_OPERATION: CONSTRUCTION,
    Facility.Status.OPERATING: OPERATING,
    Facility.Status.SHELVED: CANCELLED,
    Facility.Status.CANCELLED: CANCELLED,
}
BUILDING = (Facility.Status.CONSTRUCTION, Facility.Status.PILOT_OPERATION)
#: Countries and companies in the promised-against-in-place tables: those that promised most.
PROMISED_NAMES = 30

#: Where a converted unit's cell Ah comes from.
AH_FROM_MILESTONE, AH_FROM_FACILITY = "milestone", "facility"


class Unit(NamedTuple):
    """One unit of capacity as of the day (a tuple: thousands are cached and read back)."""

    name: str
    #: The milestone's id, or the facility's slug when the unit is a facility's own capacity.
    ref: str
    company_slug: str
    company_name: str
    country: str
    technology: str  # its slug, "" when not recorded
    technology_name: str
    stage: str
    year: int | None
    #: The year its first dated target fell in (for "promised for Y"), and the day it was
    #: achieved (for "in place by Y").
    first_year: int | None
    achieved_on: date | None
    value: Decimal
    unit: str
    gwh: Decimal | None
    reason: str
    facility_only: bool = False
    #: For capacity in cells: the cell's Ah and nominal voltage it was read with (None when
    #: not recorded), and whose Ah it is (AH_FROM_MILESTONE or AH_FROM_FACILITY).
    cell_ah: Decimal | None = None
    voltage: Decimal | None = None
    ah_from: str = ""

    @property
    def in_cells(self) -> bool:
        return self.unit in CELL_UNITS

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def url(self) -> str:
        if self.facility_only:
            return reverse("claims:facility_detail", args=[self.ref])
        return reverse("claims:milestone_detail", args=[int(self.ref)])

    @property
    def quantity_label(self) -> str:
        from claims.models.base import format_quantity

        return format_quantity(self.value, CapacityUnit(self.unit).label)

    def key(self, group: str) -> str:
        if group == "year":
            return str(self.year) if self.year else UNDATED
        if group == "country":
            return country_name(self.country)
        if group == "company":
            return self.company_name
        return self.technology_name or "Not recorded"


@dataclass(frozen=True)
class PipelineFilters:
    country: tuple[str, ...] = ()
    company: str = ""
    technology: str = ""
    group: str = "year"
    nothing: bool = False

    def keeps(self, unit: Unit, *, skip: str = "") -> bool:
        if self.nothing:
            return False
        if self.country and skip != "country" and unit.country not in self.country:
            return False
        if self.company and skip != "company" and unit.company_slug != self.company:
            return False
        return not (self.technology and skip != "technology" and unit.technology != self.technology)


def stage_of(status: str, facility_status: str | None, *, today: bool) -> str:
    """A milestone's stage from its status as of the day (and its facility's recorded status,
    which is today's)."""
    if status == Status.ACHIEVED:
        return OPERATING
    if status == Status.CANCELLED:
        return CANCELLED
    if today and facility_status in BUILDING:
        return CONSTRUCTION
    return PLANNED


def read_units(read: AsOf) -> list[Unit]:
    """Every unit of capacity stated by the read's day (filters aside): two queries.

    Facilities' recorded statuses are today's: they are applied only in today's view."""
    today = read.day >= date.today()
    milestones = (
        read.annotated(Milestone.objects.filter(kind__in=CAPACITY_KINDS))
        .filter(capacity_value__isnull=False)
        .order_by("company__name", "title", "pk")
        .values(
            "pk",
            "title",
            "company__slug",
            "company__name",
            "country",
            "technology__slug",
            "technology__name",
            "facility__technology__slug",
            "facility__technology__name",
            "facility__status",
            "facility__cell_ah",
            "facility__cell_nominal_voltage",
            "capacity_value",
            "capacity_unit",
            "cell_ah",
            "status",
            "first_target_latest",
            "current_target_latest",
            "achieved_on",
        )
    )
    # Names repeated on many units (companies, countries, technologies, units) are kept once.
    shared: dict[str, str] = {}

    def one(text: str) -> str:
        return shared.setdefault(text, text)

    units = []
    for m in milestones.iterator(chunk_size=2000):
        stage = stage_of(m["status"], m["facility__status"], today=today)
        due = m["achieved_on"] if stage == OPERATING else m["current_target_latest"]
        own_ah = m["cell_ah"] is not None
        cell_ah = m["cell_ah"] if own_ah else m["facility__cell_ah"]
        voltage = m["facility__cell_nominal_voltage"]
        gwh, reason = to_gwh(
            m["capacity_value"], m["capacity_unit"], cell_ah=cell_ah, voltage=voltage
        )
        units.append(
            Unit(
                name=m["title"],
                ref=str(m["pk"]),
                company_slug=one(m["company__slug"]),
                company_name=one(m["company__name"]),
                country=one(str(m["country"])),
                technology=one(m["technology__slug"] or m["facility__technology__slug"] or ""),
                technology_name=one(m["technology__name"] or m["facility__technology__name"] or ""),
                stage=stage,
                year=due.year if due else None,
                first_year=m["first_target_latest"].year if m["first_target_latest"] else None,
                achieved_on=m["achieved_on"],
                value=m["capacity_value"],
                unit=one(m["capacity_unit"]),
                gwh=gwh,
                reason=reason,
                cell_ah=cell_ah,
                voltage=voltage,
                ah_from=(AH_FROM_MILESTONE if own_ah else AH_FROM_FACILITY)
                if cell_ah is not None
                else "",
            )
        )
    carried = Milestone.objects.filter(
        facility=OuterRef("pk"), kind__in=CAPACITY_KINDS, capacity_value__isnull=False
    )
    # Known by the day as the facility index decides it (claims.read.facilities).
    facilities = (
        Facilities(read.day).known().filter(capacity_value__isnull=False).exclude(Exists(carried))
    )
    for f in (
        facilities.order_by("company__name", "name")
        .values(
            "slug",
            "name",
            "company__slug",
            "company__name",
            "country",
            "technology__slug",
            "technology__name",
            "status",
            "capacity_value",
            "capacity_unit",
            "cell_ah",
            "cell_nominal_voltage",
        )
        .iterator(chunk_size=2000)
    ):
        gwh, reason = to_gwh(
            f["capacity_value"],
            f["capacity_unit"],
            cell_ah=f["cell_ah"],
            voltage=f["cell_nominal_voltage"],
        )
        units.append(
            Unit(
                name=f["name"],
                ref=f["slug"],
                company_slug=one(f["company__slug"]),
                company_name=one(f["company__name"]),
                country=one(str(f["country"])),
                technology=one(f["technology__slug"] or ""),
                technology_name=one(f["technology__name"] or ""),
                stage=FACILITY_STAGES.get(f["status"], PLANNED) if today else PLANNED,
                year=None,
                first_year=None,
                achieved_on=None,
                value=f["capacity_value"],
                unit=one(f["capacity_unit"]),
                gwh=gwh,
                reason=reason,
                facility_only=True,
                cell_ah=f["cell_ah"],
                voltage=f["cell_nominal_voltage"],
                ah_from=AH_FROM_FACILITY if f["cell_ah"] is not None else "",
            )
        )
    return units


@dataclass
class TableRow:
    key: str
    gwh: dict[str, Decimal]  # by stage
    total: Decimal
    not_convertible: int

    @property
    def cells(self) -> list[Decimal]:
        """GWh a year in STAGES order (the table's columns)."""
        return [self.gwh[s] for s in STAGES]


class Pipeline:
    """The capacity pipeline of a read model's day, narrowed and grouped by `filters`."""

    def __init__(self, read: AsOf, filters: PipelineFilters = PipelineFilters()):
        self.read = read
        self.filters = filters
        self._all: list[Unit] | None = None
        self._units: list[Unit] | None = None

    def all_units(self) -> list[Unit]:
        """Every unit of the day, whatever the filters (cached under the data version)."""
        if self._all is None:
            self._all = remember("pipeline-units", (self.read.day,), lambda: read_units(self.read))
        return self._all

    def units(self) -> list[Unit]:
        if self._units is None:
            self._units = [u for u in self.all_units() if self.filters.keeps(u)]
        return self._units

    def summary(self) -> dict:
        """What the page and the API show for these filters, cached for them: the table, its
        totals, the facets, promised against in place, and what was not converted."""

        def compute():
            rows = self.table()
            return {
                "rows": rows,
                "totals": self.totals(rows),
                "facets": self.facets(),
                "promised_country": self.promised("country", limit=PROMISED_NAMES),
                "promised_company": self.promised("company", limit=PROMISED_NAMES),
                "not_convertible": self.not_convertible(),
                "converted": self.converted(),
            }

        return remember("pipeline", (self.read.day, self.filters), compute)

    def table(self) -> list[TableRow]:
        """GWh a year by group (rows) and stage; years in order, the others largest first."""
        group = self.filters.group
        sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(STAGES, Decimal(0)))
        skipped: dict[str, int] = defaultdict(int)
        for unit in self.units():
            key = unit.key(group)
            if unit.gwh is None:
                skipped[key] += 1
                sums[key]  # noqa: B018 (the row shows, with its count of units not converted)
            else:
                sums[key][unit.stage] += unit.gwh
        rows = [
            TableRow(key, by_stage, sum(by_stage.values(), Decimal(0)), skipped[key])
            for key, by_stage in sums.items()
        ]
        if group == "year":
            rows.sort(key=lambda r: (r.key == UNDATED, r.key))
        else:
            rows.sort(key=lambda r: (-r.total, r.key))
        return rows

    def totals(self, rows: list[TableRow]) -> TableRow:
        """The table's last row: every row added up."""
        by_stage = {s: sum((r.gwh[s] for r in rows), Decimal(0)) for s in STAGES}
        return TableRow(
            "Total",
            by_stage,
            sum(by_stage.values(), Decimal(0)),
            sum(r.not_convertible for r in rows),
        )

    def not_convertible(self) -> list[Unit]:
        return [u for u in self.units() if u.gwh is None]

    def converted(self) -> list[Unit]:
        """Capacity stated in cells and converted with its cell's Ah and nominal voltage."""
        return [u for u in self.units() if u.in_cells and u.gwh is not None]

    def promised(self, by: str, *, limit: int | None = None) -> list[dict]:
        """Per country ("country") or company ("company") and year Y: the capacity whose
        first dated target fell in Y, and how much of it was achieved by the end of Y (and by
        the day, when Y has not ended). `limit`: only the countries or companies that
        promised most."""
        cells: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
        for unit in self.units():
            if unit.first_year is None or unit.gwh is None:
                continue
            key = (unit.key(by), unit.first_year)
            cells[key][0] += unit.gwh
            if unit.achieved_on is not None and unit.achieved_on.year <= unit.first_year:
                cells[key][1] += unit.gwh
        rows = [
            {
                "name": name,
                "year": year,
                "promised": promised,
                "in_place": in_place,
                "share": round(100 * in_place / promised) if promised else None,
                "open": year >= self.read.day.year,
            }
            for (name, year), (promised, in_place) in cells.items()
        ]
        if limit is not None:
            promised: dict[str, Decimal] = defaultdict(Decimal)
            for row in rows:
                promised[row["name"]] += row["promised"]
            kept = set(sorted(promised, key=lambda n: (-promised[n], n))[:limit])
            rows = [row for row in rows if row["name"] in kept]
        return sorted(rows, key=lambda r: (r["name"], r["year"]))

    def facets(self) -> dict[str, list[dict]]:
        """Units of each country, company and technology under the other filters."""
        f = self.filters
        counts: dict[str, dict[str, list]] = {"country": {}, "company": {}, "technology": {}}
        for unit in self.all_units():
            values = {
                "country": (unit.country, country_name(unit.country)),
                "company": (unit.company_slug, unit.company_name),
                "technology": (unit.technology, unit.technology_name),
            }
            for name, (value, label) in values.items():
                if value and f.keeps(unit, skip=name):
                    counts[name].setdefault(value, [label, 0])[1] += 1
        chosen = {"country": set(f.country), "company": {f.company}, "technology": {f.technology}}
        return {
            name: sorted(
                (
                    {"value": v, "label": label, "n": n, "selected": v in chosen[name]}
                    for v, (label, n) in by_value.items()
                ),
                key=lambda x: (not x["selected"], -x["n"], x["label"]),
            )
            for name, by_value in counts.items()
        }
