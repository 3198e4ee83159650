"""What a read is asked for: the as-of day (its one parser) and the milestone filters, with
the sort orders and the filters the cached census covers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F
from django_countries import countries

from claims.status import Status

#: The as-of date's one written form.
AS_OF_FORMAT = "%Y-%m-%d"
AS_OF_INVALID = "Give the as-of date as YYYY-MM-DD, e.g. 2025-09-05."
AS_OF_TOO_EARLY = "The as-of date must be after 1900."


def parse_as_of(text: str | None, *, today: date | None = None) -> date:
    """The day a request asks to see the tracker as of: `text` as YYYY-MM-DD, today when
    empty or in the future. Raises ValueError, with a message for readers, when it is not a
    date or is before 1900."""
    today = today or date.today()
    if text is None or text == "":
        return today
    try:
        day = datetime.strptime(text, AS_OF_FORMAT).date()
    except (TypeError, ValueError):
        raise ValueError(AS_OF_INVALID) from None
    if day.year < 1900:
        raise ValueError(AS_OF_TOO_EARLY)
    return min(day, today)


def country_name(code: str) -> str:
    return countries.name(code) or code


# -- filters --------------------------------------------------------------------------------


def given_text(values: Mapping, name: str, *, lower: bool = False) -> str:
    """A cleaned text filter (a search, a company's slug): "" when not given."""
    text = (values.get(name) or "").strip()
    return text.lower() if lower else text


def given_values(values: Mapping, name: str, *, upper: bool = False) -> tuple[str, ...]:
    """A cleaned filter of several values (countries upper-cased): () when not given."""
    return tuple(v.upper() if upper else v for v in values.get(name) or ())


@dataclass(frozen=True)
class MilestoneFilters:
    """A milestone list's validated filters (the pages' form and the API's query schema both
    give one). `nothing`: some parameter was invalid, and the list is empty."""

    country: tuple[str, ...] = ()
    company: str = ""
    status: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    technology: str = ""
    year: int | None = None
    q: str = ""
    sort: str = "due"
    nothing: bool = False

    @classmethod
    def of(cls, values: Mapping) -> MilestoneFilters:
        """From cleaned values (missing or empty ones do not filter)."""
        return cls(
            country=given_values(values, "country", upper=True),
            company=given_text(values, "company", lower=True),
            status=tuple(Status(v).value for v in given_values(values, "status")),
            kind=given_values(values, "kind"),
            technology=values.get("technology") or "",
            year=values.get("year"),
            q=given_text(values, "q"),
            sort=values.get("sort") or "due",
        )

    @classmethod
    def none(cls) -> MilestoneFilters:
        return cls(nothing=True)

    def chosen(self) -> dict[str, set]:
        """The values chosen of each filter a census counts by (an empty set: any)."""
        return {
            "country": set(self.country),
            "company": {self.company} if self.company else set(),
            "status": set(self.status),
            "kind": set(self.kind),
            "year": {self.year} if self.year is not None else set(),
        }


NO_FILTERS = MilestoneFilters()

#: Filters that a status census counts by; the others (technology, q) narrow the census
#: query itself.
CENSUS_FILTERS = ("country", "company", "status", "kind", "year")

#: The orders a milestone list can be sorted in. Undated last in due order; then in the
#: order they were entered (rows() pages through this order along the claims index).
SORT_ORDERS = {
    "due": [F("current_target_latest").asc(nulls_last=True), "pk"],
    "company": ["company__name", "title", "pk"],
    "recent": ["-last_claim_on", "company__name", "title", "pk"],
}

#: Candidates for the dashboard lists and other short lists in due order.
DASHBOARD_ROWS = 12
