"""A target period (earliest, latest, precision) and its compact label: Dec 2025, H2 2026, 2027–28,
FY2028, after 2030."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from claims.dates import add_months, month_end


class Precision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    RANGE = "range"
    OPEN = "open"
    NONE = "none"


PRECISION_CHOICES: list[tuple[str, str]] = [
    ("day", "Day"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("half", "Half-year"),
    ("year", "Year"),
    ("range", "Range"),
    ("open", "Open-ended"),
    ("none", "Not stated"),
]


class PeriodError(ValueError):
    """The text could not be read as a target period; the message is written for an editor."""


class Dated:
    """What anything with a period (earliest, latest, precision) has: whether it is dated (has
    a last day, so can be due) and its compact label. Period and the status rules' Target."""

    @property
    def is_dated(self) -> bool:
        return self.latest is not None

    @property
    def label(self) -> str:
        return format_period(self.earliest, self.latest, self.precision)


@dataclass(frozen=True)
class Period(Dated):
    stated: str
    earliest: date | None
    latest: date | None
    precision: Precision


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

_ABBREVIATIONS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
MONTH_ABBR = ("", *_ABBREVIATIONS.split())  # MONTH_ABBR[12] == "Dec"


def month_span(year: int, month: int, count: int) -> tuple[date, date]:
    """The span of `count` whole months starting at year/month."""
    first = date(year, month, 1)
    return first, add_months(first, count - 1, day=31)


def _day(d: date) -> str:
    return f"{d.day} {MONTH_ABBR[d.month]} {d.year}"


def _month(d: date) -> str:
    return f"{MONTH_ABBR[d.month]} {d.year}"


#: The months of each precision longer than a day.
MONTHS_IN = {Precision.MONTH: 1, Precision.QUARTER: 3, Precision.HALF: 6, Precision.YEAR: 12}


def _fixed_label(e: date, latest: date, p: Precision) -> str | None:
    """Label for day/month/quarter/half/year, or None if the dates do not fit the precision."""
    if p is Precision.DAY:
        return _day(e) if e == latest else None
    count = MONTHS_IN
    if p not in count or e.day != 1 or latest != month_span(e.year, e.month, count[p])[1]:
        return None
    if p is Precision.MONTH:
        return _month(e)
    if p is Precision.QUARTER and e.month % 3 == 1:
        return f"Q{e.month // 3 + 1} {e.year}"
    if p is Precision.HALF and e.month in (1, 7):
        return f"H{1 if e.month == 1 else 2} {e.year}"
    if p is Precision.YEAR:  # a fiscal year is named as in the module docstring
        return str(e.year) if e.month == 1 else f"FY{e.year + (e.month >= 7)}"
    return None


def _range_label(e: date, latest: date) -> str:
    if e.day != 1 or latest != month_end(latest.year, latest.month):
        return _day(e) if e == latest else f"{_day(e)}–{_day(latest)}"
    if (e.month, latest.month) == (1, 12):
        if e.year == latest.year:
            return str(e.year)
        if e.year % 10 == 0 and latest.year == e.year + 9:
            return f"{e.year}s"
        same_century = e.year // 100 == latest.year // 100
        return f"{e.year}–{str(latest.year)[2:] if same_century else latest.year}"
    if e.year != latest.year:
        return f"{_month(e)}–{_month(latest)}"
    if e.month == latest.month:
        return _month(e)
    return f"{MONTH_ABBR[e.month]}–{_month(latest)}"


def format_period(earliest: date | None, latest: date | None, precision: str) -> str:
    """The compact display label, derived from the three stored fields alone."""
    p = Precision(precision)
    if p is Precision.NONE or (earliest is None and latest is None):
        return "not stated"
    if latest is None:  # open-ended: "after X", where X ends the day before `earliest`
        before = earliest - timedelta(days=1)
        if (before.month, before.day) == (12, 31):
            return f"after {before.year}"
        return f"after {_month(before) if earliest.day == 1 else _day(before)}"
    if earliest is None:
        if (latest.month, latest.day) == (12, 31):
            return f"before {latest.year + 1}"
        return f"by {_day(latest)}"
    return _fixed_label(earliest, latest, p) or _range_label(earliest, latest)
