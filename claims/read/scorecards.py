"""Scorecards and comparisons, read from the as-of read model.

    scorecards(read, by="company", min_dated=3, sort="rank")   # ranked track records
    compare(read, companies)         # two to four companies side by side

Track records come from AsOf.track_records (cached under the data version); only names and,
for a comparison, the companies' milestones and facilities are read besides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.functional import cached_property

from claims.cache import remember
from claims.capacity import facility_gwh
from claims.charts import timeline_chart, timeline_span
from claims.models import Claim, Company, Facility, Milestone
from claims.read.asof import AsOf
from claims.read.filters import country_name
from claims.read.rows import Row
from claims.status import TrackRecord

#: Peers are ranked only with at least this many dated targets (?min=, within the bounds).
MIN_DATED = 3
MIN_DATED_BOUNDS = (1, 50)
BY = ("company", "country")
#: Rows of each company's timeline on the comparison page (its own page has them all).
COMPARE_ROWS = 25
COMPARE_MIN, COMPARE_MAX = 2, 4
EMPTY = TrackRecord()


@dataclass(frozen=True)
class ScoreRow:
    """One company's or country's track record, with its rank among its peers."""

    key: str  # a company's slug or a country's code
    name: str
    by: str  # "company" or "country"
    record: TrackRecord
    rank: int | None  # None: fewer dated targets than the peers need

    @property
    def spread(self):
        return self.record.spread

    @property
    def url(self) -> str:
        """Its page (reversed only for the rows shown: thousands are ranked)."""
        return reverse(f"claims:{self.by}_detail", args=[self.key])


def _rank_key(row: ScoreRow) -> tuple:
    """Most promises kept on time first, then the least median slip."""
    r = row.record
    return (
        -(r.kept_share if r.kept_share is not None else -1),
        r.median_slip_months if r.median_slip_months is not None else float("inf"),
    )


SORTS = {
    "rank": lambda row: (row.rank is None, row.rank or 0, row.name.lower()),
    "name": lambda row: row.name.lower(),
    "kept": lambda row: (-(row.record.kept_share or 0), row.name.lower()),
    "slip": lambda row: (
        row.record.median_slip_months is None,
        -(row.record.median_slip_months or 0),
        row.name.lower(),
    ),
    "dated": lambda row: (-row.record.dated, row.name.lower()),
    "overdue": lambda row: (-row.record.overdue, row.name.lower()),
}


def scorecards(read: AsOf, *, by: str, min_dated: int = MIN_DATED, sort: str = "rank"):
    """Every company's (by="company") or country's (by="country") track record as of the
    read's day, ranked among those with at least `min_dated` dated targets, in `sort` order."""
    if by == "company":
        records = read.track_records(by="company_id")
        names = Company.objects.order_by().values_list("pk", "slug", "name")
        rows = [
            ScoreRow(slug, name, "company", records[pk], None)
            for pk, slug, name in names
            if pk in records
        ]
    else:
        records = read.track_records(by="country")
        rows = [
            ScoreRow(code, country_name(code), "country", record, None)
            for code, record in records.items()
            if code
        ]
    return sorted(ranked(rows, min_dated), key=SORTS.get(sort, SORTS["rank"]))


def ranked(rows: Sequence[ScoreRow], min_dated: int) -> list[ScoreRow]:
    """The rows, each peer (with at least min_dated dated targets) given its rank: equal
    records share a rank, and the next rank skips as many (1, 2, 2, 4)."""
    peers = sorted((r for r in rows if r.record.dated >= min_dated), key=_rank_key)
    ranks: dict[str, int] = {}
    for position, row in enumerate(peers, start=1):
        previous = peers[position - 2] if position > 1 else None
        same = previous is not None and _rank_key(previous) == _rank_key(row)
        ranks[row.key] = ranks[previous.key] if same else position
    return [ScoreRow(r.key, r.name, r.by, r.record, ranks.get(r.key)) for r in rows]


def rank_of(read: AsOf, *, by: str, key: str, min_dated: int = MIN_DATED) -> tuple[int | None, int]:
    """(the rank of one company (its id) or country (its code) among its peers, how many
    peers)."""
    ranks, peers = peer_ranks(read, by=by, min_dated=min_dated)
    return ranks.get(key), peers


def peer_ranks(read: AsOf, *, by: str, min_dated: int = MIN_DATED) -> tuple[dict[str, int], int]:
    """({company id or country code: rank} of the peers, how many peers), cached under the
    data version: every company page shows its rank, and ranking reads every track record."""

    def compute() -> tuple[dict[str, int], int]:
        if by == "company":
            records = read.track_records(by="company_id")
            rows = [ScoreRow(str(pk), "", "company", r, None) for pk, r in records.items()]
        else:
            records = read.track_records(by="country")
            rows = [ScoreRow(code, "", "country", r, None) for code, r in records.items() if code]
        peers = [row for row in ranked(rows, min_dated) if row.rank is not None]
        return {row.key: row.rank for row in peers}, len(peers)

    return remember("peer-ranks", (read.day, by, min_dated), compute)


#: A chart's width in a column of a two-column page (.two-col), in pixels.
HALF_PAGE_CHART = 540


def scorecard_context(read: AsOf, *, by: str, key: str, name: str, record: TrackRecord) -> dict:
    """What includes/scorecard.html shows on a company's or a country's page: its rank among
    its peers and the spread of its slips."""
    from claims.plots import spread_chart

    rank, peers = rank_of(read, by=by, key=key)
    query = "?by=country" if by == "country" else ""
    if read.day < date.today():
        query += ("&" if query else "?") + f"as_of={read.day.isoformat()}"
    return {
        "rank": rank,
        "peers": peers,
        "min_dated": MIN_DATED,
        "scorecards_query": query,
        "spread_chart": spread_chart(
            [(name, "#record-h", record.spread, record.slips)],
            title=f"{name}: spread of slips, months past the first dated target",
            width=HALF_PAGE_CHART,
        ),
    }


# -- capacity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """The sum of a company's facilities' planned capacity in GWh/yr, and what is not in it."""

    gwh: Decimal
    facilities: int
    converted: int
    not_convertible: list[Facility]


def capacity_of(facilities: Sequence[Facility]) -> Capacity:
    gwh, converted, rest = Decimal(0), 0, []
    for facility in facilities:
        value = facility_gwh(facility)
        if value is None:
            if facility.capacity_value is not None:
                rest.append(facility)
            continue
        gwh += value
        converted += 1
    return Capacity(gwh, len(facilities), converted, rest)


# -- comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compared:
    """One company's column of a comparison."""

    company: Company
    record: TrackRecord
    capacity: Capacity


@dataclass(frozen=True)
class Timeline:
    company: Company
    chart: object  # a claims.charts.TimelineChart, or None without milestones
    more: int  # milestones left off the timeline


class Comparison:
    """Two to four companies side by side: each one's track record and capacity, and their
    timelines on one time axis (read only when shown: the page caches them as rendered)."""

    def __init__(self, read: AsOf, companies: Sequence[Company]):
        self.read = read
        self.companies = list(companies)
        #: Names the comparison in a fragment cache key (with the day).
        self.key = "-".join(str(c.pk) for c in self.companies)

    def __iter__(self):
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.companies)

    @cached_property
    def columns(self) -> list[Compared]:
        records = self.read.track_records(by="company_id")
        sites: dict[int, list[Facility]] = {c.pk: [] for c in self.companies}
        for facility in Facility.objects.filter(company__in=self.companies).order_by("name"):
            sites[facility.company_id].append(facility)
        return [
            Compared(c, records.get(c.pk, EMPTY), capacity_of(sites[c.pk])) for c in self.companies
        ]

    @cached_property
    def timelines(self) -> list[Timeline]:
        milestones = (
            Milestone.objects.filter(company__in=self.companies)
            .with_claims(Claim.objects.for_status())
            .order_by("company", "pk")
        )
        by_company: dict[int, list[Row]] = {c.pk: [] for c in self.companies}
        for row in self.read.histories(milestones):
            by_company[row.milestone.company_id].append(row)
        shown = {pk: sorted(rows, key=_due_order)[:COMPARE_ROWS] for pk, rows in by_company.items()}
        items = [(r.milestone, r.result) for rows in shown.values() for r in rows]
        span = timeline_span(items, self.read.day) if items else None
        return [
            Timeline(
                company=c,
                chart=timeline_chart(
                    [(r.milestone, r.result) for r in shown[c.pk]],
                    self.read.day,
                    title=f"{c.name}: milestones over time",
                    span=span,
                ),
                more=len(by_company[c.pk]) - len(shown[c.pk]),
            )
            for c in self.companies
        ]


def compare(read: AsOf, companies: Sequence[Company]) -> Comparison:
    """Each company's track record, capacity and timeline (on one time axis for all)."""
    return Comparison(read, companies)


def _due_order(row: Row) -> tuple:
    target = row.result.current_target
    latest = target.latest if target is not None else None
    return (latest is None, latest or row.result.as_of, row.milestone.pk)
