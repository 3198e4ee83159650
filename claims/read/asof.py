"""The as-of read model: the tracker as it stood on a day, filtered.

    read = AsOf(day, filters)
    read.rows()            # the milestones found, as Rows, for a paginator (due order along
                           # the claims index when sorted by due date)
    read.count(), read.facets()   # from the cached status census
    read.export()          # every milestone found, streamed in chunks, for the CSV
    read.due_soon(n), read.overdue(n), read.recently_achieved(n), read.upcoming(company)
    read.pivot(), read.track_records(by=...)
    read.histories(milestones)    # statuses derived from each milestone's claims (its page)

An AsOf decides once, when it is made, whether status is read from the stored facts (the
day is on or after the latest claim) or derived from the claims known by the day, and
passes that down to every queryset it builds. Nothing else chooses; nothing reads the day
back out of a query. Counts that read every milestone (the census behind facet and page
counts, the country pivot, track records) are cached under the data version
(claims.cache.remember).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from django.db.models import QuerySet
from django.utils.functional import cached_property

from claims.cache import remember
from claims.facts import stored_facts_cover
from claims.models import Claim, Company, Milestone
from claims.read.filters import (
    CENSUS_FILTERS,
    DASHBOARD_ROWS,
    NO_FILTERS,
    SORT_ORDERS,
    MilestoneFilters,
    country_name,
)
from claims.read.rows import Row, RowPages
from claims.status import (
    ROW_FACTS,
    MilestoneStatus,
    Status,
    add_months,
    derive_status,
    status_from_annotations,
    status_from_facts,
)


class AsOf:
    """The tracker as it stood on `day`, narrowed by `filters`."""

    def __init__(
        self, day: date, filters: MilestoneFilters = NO_FILTERS, *, stored: bool | None = None
    ):
        self.day = day
        self.filters = filters
        if stored is not None:  # derived facts are right for any day; stored ones, see below
            self.__dict__["stored"] = stored

    @cached_property
    def stored(self) -> bool:
        """The one choice between stored and derived facts, made once per read: the stored
        facts are the facts as of any day on or after the latest claim."""
        return stored_facts_cover(self.day)

    def __repr__(self) -> str:
        facts = "stored" if self.stored else "derived"
        return f"AsOf({self.day.isoformat()}, {self.filters!r}, {facts} facts)"

    def filtered(self, filters: MilestoneFilters) -> AsOf:
        """The same day, other filters (the stored-or-derived choice is kept)."""
        return AsOf(self.day, filters, stored=self.stored)

    # -- querysets --------------------------------------------------------------------------

    def annotated(self, milestones: QuerySet | None = None, *, stated_only=True) -> QuerySet:
        """Milestones stated by the day (all of them, unless `stated_only`), their status
        annotated (not filtered)."""
        milestones = Milestone.objects.all() if milestones is None else milestones
        milestones = milestones.with_status(self.day, stored=self.stored)
        return milestones.stated_by(self.day, stored=self.stored) if stated_only else milestones

    def in_status(self, milestones: QuerySet, statuses: Iterable[str]) -> QuerySet:
        """Annotated milestones narrowed to these statuses."""
        return milestones.in_status(statuses, self.day)

    def narrowed(self, milestones: QuerySet, *, census: bool = False) -> QuerySet:
        """Milestones narrowed by the filters (by the ones a census cannot count by, when
        `census`): empty when a filter was invalid."""
        f = self.filters
        if f.nothing:
            return milestones.none()
        milestones = milestones.with_technology(f.technology or None).search(f.q)
        if census:
            return milestones
        milestones = milestones.in_countries(f.country).for_company(f.company or None)
        if f.kind:
            milestones = milestones.filter(kind__in=f.kind)
        if f.status:
            milestones = self.in_status(milestones, f.status)
        if f.year is not None:
            milestones = milestones.due_in_year(f.year)
        return milestones

    def milestones(self) -> QuerySet:
        """The milestones found, status annotated, in the filters' order."""
        order = SORT_ORDERS.get(self.filters.sort, SORT_ORDERS["due"])
        return (
            self.narrowed(self.annotated())
            .order_by(*order)
            .select_related("company", "facility", "technology")
            # Rows name their company, facility and technology, never describe them.
            .defer(*LONG_TEXTS)
        )

    # -- rows ---------------------------------------------------------------------------------

    def row(self, milestone: Milestone) -> Row:
        """A milestone annotated by annotated(), with its status."""
        return Row(milestone, status_from_annotations(milestone, self.day))

    def rows_of(self, milestones: Iterable[Milestone]) -> list[Row]:
        return [self.row(m) for m in milestones]

    def rows(self, *, with_claims: bool = False, partners: bool = False) -> RowPages:
        """The rows found, for a paginator (which slices and counts them)."""
        milestones = self.milestones()
        if partners:
            milestones = milestones.prefetch_related("partners")
        return RowPages(self, milestones, with_claims=with_claims)

    def due_first(self, milestones: QuerySet, *, offset: int = 0, limit: int) -> list:
        """Rows offset to offset + limit of these milestones (found by this read) in due
        order, read through the index of claims by target date."""
        claims = Claim.objects.stated_by(self.day).filter(kind__in=Claim.TARGET_KINDS)
        f = self.filters
        if f.country or f.company or f.kind or f.technology or f.q:
            # Only the claims of milestones the row filters let through.
            rows = self.filtered(replace(f, status=(), year=None)).narrowed(Milestone.objects.all())
            claims = claims.filter(milestone__in=rows)
        statuses = set(f.status)
        if statuses and statuses <= {Status.ON_TRACK, Status.DELAYED}:
            claims = claims.filter(target_latest__gte=self.day)
        elif statuses == {Status.OVERDUE}:
            claims = claims.filter(target_latest__lt=self.day)
        if f.year is not None:
            claims = claims.filter(target_latest__year=f.year)
        return milestones.first_through(
            claims,
            field="current_target_latest",
            claim_field="target_latest",
            descending=False,
            offset=offset,
            limit=limit,
            indexed=self.stored,
        )

    def export(self, chunk_size: int = 2000) -> Iterator[tuple[dict, MilestoneStatus]]:
        """Every milestone found, in the list's order, as (its columns, its status): read
        in chunks from one cursor, as plain values rather than model instances, so that
        memory stays flat whatever the number."""
        rows = self.milestones().values(*EXPORT_FIELDS, *ROW_FACTS)
        for values in rows.iterator(chunk_size=chunk_size):
            yield values, status_from_facts(values, self.day)

    def history(self, milestone: Milestone) -> MilestoneStatus:
        """A milestone's status as of the day, derived from its claims (read with it)."""
        return derive_status(milestone.claims.all(), self.day)

    def histories(self, milestones: Iterable[Milestone]) -> list[Row]:
        """Milestones (with their claims) that existed as of the day, each with its status
        derived from its claims: a company's or a facility's page."""
        rows = [Row(m, self.history(m)) for m in milestones]
        return [r for r in rows if r.result.visible_claims]

    # -- short lists ------------------------------------------------------------------------

    def due_soon(self, limit: int = DASHBOARD_ROWS) -> list[Row]:
        """On track or delayed, falling due within the next 12 months, soonest first."""
        year_ahead = add_months(self.day, 12)
        targets = Claim.objects.stated_by(self.day).filter(kind__in=Claim.TARGET_KINDS)
        milestones = self.in_status(
            self.annotated().select_related("company"), [Status.ON_TRACK, Status.DELAYED]
        ).filter(current_target_latest__gte=self.day, current_target_latest__lte=year_ahead)
        return self.rows_of(
            milestones.first_through(
                targets.filter(target_latest__gte=self.day, target_latest__lte=year_ahead),
                field="current_target_latest",
                claim_field="target_latest",
                limit=limit,
                descending=False,
                indexed=self.stored,
            )
        )

    def recently_achieved(self, limit: int = DASHBOARD_ROWS) -> list[Row]:
        achievements = Claim.objects.stated_by(self.day).filter(
            kind=Claim.Kind.ACHIEVEMENT, achieved_on__isnull=False
        )
        milestones = self.in_status(self.annotated().select_related("company"), [Status.ACHIEVED])
        return self.rows_of(
            milestones.first_through(
                achievements,
                field="achieved_on",
                claim_field="achieved_on",
                limit=limit,
                descending=True,
                indexed=self.stored,
            )
        )

    def overdue(self, limit: int = DASHBOARD_ROWS) -> list[Row]:
        """Overdue, the most recently due first."""
        targets = Claim.objects.stated_by(self.day).filter(
            kind__in=Claim.TARGET_KINDS, target_latest__lt=self.day
        )
        milestones = self.in_status(self.annotated().select_related("company"), [Status.OVERDUE])
        return self.rows_of(
            milestones.first_through(
                targets,
                field="current_target_latest",
                claim_field="target_latest",
                limit=limit,
                descending=True,
                indexed=self.stored,
            )
        )

    def upcoming(self, company: Company | None = None) -> list[Row]:
        """Milestones whose current target has not yet fallen due, soonest first."""
        milestones = self.annotated().select_related("company")
        if company is not None:
            milestones = milestones.filter(company=company)
        milestones = self.in_status(milestones, [Status.ON_TRACK, Status.DELAYED])
        return self.rows_of(
            milestones.filter(current_target_latest__gte=self.day).order_by(
                "current_target_latest", "pk"
            )
        )

    # -- counts (cached under the data version) --------------------------------------------

    def census(self) -> tuple[list[tuple], dict]:
        """The status census of the milestones stated by the day, narrowed by the filters a
        census cannot count by (technology, search), with the companies it names: (rows of
        (company_id, country, status, kind, target_year, n), {company id: (slug, name,
        country)})."""
        f = self.filters
        key = ("invalid",) if f.nothing else (f.technology, f.q)

        def compute():
            base = self.narrowed(Milestone.objects.all(), census=True)
            companies = {
                pk: (slug, name, str(country))
                for pk, slug, name, country in Company.objects.values_list(
                    "pk", "slug", "name", "country"
                )
            }
            return base.status_census(self.day, stored=self.stored), companies

        return remember("census", (self.day, key), compute)

    def facets_and_count(self) -> tuple[dict, int]:
        """Facet counts (each filter value under all the *other* filters, as Datasette shows
        them) and the number of milestones found: added up from the census, and cached
        themselves for these filters."""
        if self.filters.nothing:
            return {name: [] for name in CENSUS_FILTERS}, 0
        return remember(
            "milestone-facets", (self.day, self.filters), lambda: self._facets(*self.census())
        )

    def facets(self) -> dict:
        return self.facets_and_count()[0]

    def count(self) -> int:
        return self.facets_and_count()[1]

    def _facets(self, census: list[tuple], companies: dict) -> tuple[dict, int]:
        wanted = self.filters.chosen()
        counts: dict[str, dict] = {name: {} for name in CENSUS_FILTERS}
        total = 0
        for company_id, country, status, kind, year, n in census:
            values = {
                "country": country,
                "company": companies[company_id][0],
                "status": status,
                "kind": kind,
                "year": year,
            }
            misses = [name for name, want in wanted.items() if want and values[name] not in want]
            if not misses:
                total += n
            if len(misses) > 1:
                continue
            for name in misses or CENSUS_FILTERS:
                value = values[name]
                if value not in (None, ""):
                    counts[name][value] = counts[name].get(value, 0) + n
        names = {slug: name for slug, name, _ in companies.values()}
        labels = {
            "country": country_name,
            "company": lambda slug: names.get(slug, slug),
            "status": lambda v: Status(v).label,
            "kind": lambda v: Milestone.Kind(v).label,
            "year": str,
        }
        facets = {}
        for name, by_value in counts.items():
            rows = [
                {
                    "value": str(value),
                    "label": labels[name](value),
                    "n": n,
                    "selected": value in wanted[name],
                }
                for value, n in by_value.items()
            ]
            rows.sort(key=lambda f: (not f["selected"], -f["n"], f["label"]))
            facets[name] = rows
        return facets, total

    def pivot(self) -> list[dict]:
        """Milestones by country and status (every milestone, whatever the filters), added
        up from the census; cached."""
        return remember("pivot", (self.day,), lambda: _pivot(self.filtered(NO_FILTERS).census()))

    def track_records(self, *, by: str) -> dict:
        """Track records of every company ("company_id") or country ("country"); cached
        under the data version, as they read every milestone."""
        return remember(
            "track-records",
            (self.day, by),
            lambda: Milestone.objects.track_records(self.day, by=by, stored=self.stored),
        )


def _pivot(census: tuple[list[tuple], dict]) -> list[dict]:
    rows, _ = census
    counts: dict = defaultdict(dict)
    for _, country, status, _, _, n in rows:
        by_status = counts[country]
        by_status[status] = by_status.get(status, 0) + n
    pivot = [
        {
            "code": code,
            "name": country_name(code),
            "counts": [by_status.get(s.value, 0) for s in Status],
            "total": sum(by_status.values()),
        }
        for code, by_status in counts.items()
    ]
    return sorted(pivot, key=lambda r: (-r["total"], r["name"]))


#: A milestone's stated capacity and cell metrics, as the exports give them.
#: Long texts of a row's milestone and the records it names, left unread in lists.
LONG_TEXTS = (
    "description",
    "company__description",
    "company__aliases",
    "facility__description",
    "facility__address",
    "technology__description",
)
METRIC_FIELDS = (
    "capacity_value",
    "capacity_unit",
    "energy_density_wh_kg",
    "energy_density_wh_l",
    "cell_ah",
    "cycle_life",
)
#: What an export reads of each milestone besides its facts.
EXPORT_FIELDS = (
    "pk",
    "slug",
    "company__name",
    "company__slug",
    "country",
    "facility__name",
    "kind",
    "title",
    *METRIC_FIELDS,
)
