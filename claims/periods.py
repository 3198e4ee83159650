"""Target periods: the words a company used, normalised to earliest/latest/precision.

A target is due at the END of its period (`latest`). An open-ended or unstated target has
`latest = None` and is never overdue. `format_period` derives the display label from the three
stored fields alone, and every label of a parsed form reads back to the same fields
(`parse_period(p.label)`), except "by 31 Aug 2025" for a before-range that does not end on 31 Dec.

Decisions: "from 2027" is stored as open from 1 Jan 2027 and labelled "after 2026"; "2011-12" with
a plain hyphen and a month number is ISO month (Dec 2011), with an en dash it is years 2011–12.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

MAX_LENGTH = 100
MIN_YEAR, MAX_YEAR = 1900, 2100
EXAMPLES = (
    '"Dec 2025", "H2 2026", "Q3 2026", "2027", "2027–28", "FY2028", "mid-2020s", "2030s", '
    '"after 2030", "not stated"'
)


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


class _Invalid(Exception):
    """Raised inside the parsers with the reason; parse_period turns it into a PeriodError."""


@dataclass(frozen=True)
class Period:
    stated: str
    earliest: date | None
    latest: date | None
    precision: Precision

    @property
    def is_dated(self) -> bool:
        return self.latest is not None

    @property
    def label(self) -> str:
        return format_period(self.earliest, self.latest, self.precision)


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

_ABBREVIATIONS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
MONTH_ABBR = ("", *_ABBREVIATIONS.split())  # MONTH_ABBR[12] == "Dec"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, month: int, count: int) -> tuple[date, date]:
    """The span of `count` whole months starting at year/month."""
    last = year * 12 + month - 1 + count - 1
    return date(year, month, 1), _month_end(last // 12, last % 12 + 1)


def _day(d: date) -> str:
    return f"{d.day} {MONTH_ABBR[d.month]} {d.year}"


def _month(d: date) -> str:
    return f"{MONTH_ABBR[d.month]} {d.year}"


def _fixed_label(e: date, latest: date, p: Precision) -> str | None:
    """Label for day/month/quarter/half/year, or None if the dates do not fit the precision."""
    if p is Precision.DAY:
        return _day(e) if e == latest else None
    count = {Precision.MONTH: 1, Precision.QUARTER: 3, Precision.HALF: 6, Precision.YEAR: 12}
    if p not in count or e.day != 1 or latest != _months(e.year, e.month, count[p])[1]:
        return None
    if p is Precision.MONTH:
        return _month(e)
    if p is Precision.QUARTER and e.month % 3 == 1:
        return f"Q{e.month // 3 + 1} {e.year}"
    if p is Precision.HALF and e.month in (1, 7):
        return f"H{1 if e.month == 1 else 2} {e.year}"
    if p is Precision.YEAR and e.month in (1, 4):
        return str(e.year) if e.month == 1 else f"FY{e.year}"
    return None


def _range_label(e: date, latest: date) -> str:
    if e.day != 1 or latest != _month_end(latest.year, latest.month):
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


@lru_cache(maxsize=4096)
def format_period(earliest: date | None, latest: date | None, precision: str) -> str:
    """The compact display label, derived from the three stored fields alone (remembered:
    a timeline labels hundreds of targets, most of them the same few periods)."""
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


# ---------------------------------------------------------------------------------------------
# Parsing: one small function per form family, tried in the order of `_FORMS`
# ---------------------------------------------------------------------------------------------

_Bounds = tuple[date | None, date | None, Precision]

_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS = {name.lower(): i for i, name in enumerate(MONTH_ABBR) if name}
_ORDINALS = {"first": 1, "1st": 1, "early": 1, "second": 2, "2nd": 2, "late": 2}
_ORDINALS |= {"third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINAL = "first|second|third|fourth|1st|2nd|3rd|4th"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUMBERS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUMBERS |= {"eighteen": 18, "twenty-four": 24}
_NUMBER = "|".join(sorted(_NUMBERS, key=len, reverse=True))
_DECADE_PARTS = {None: (0, 9), "early": (0, 3), "mid": (4, 6), "late": (7, 9)}

_PREFIX = re.compile(
    r"^(?:(?:by the end of|by end of|by the end|the end of|end of|year[- ]end|end|by|in"
    r"|as soon as|as early as|around|circa|approximately|about|no later than|targeted for"
    r"|targeting|target|the)\b[-:,]?|approx\.|c\.|~)\s*(?=\S)"
)
_PARENTHETICAL = re.compile(r"^(.+?)\s*\(.*\)$")
_TRANSLATE = str.maketrans({"—": "–", "‐": "-", "‑": "-", "’": "'"})


def _year(text: str) -> int:
    year = int(text) + (2000 if len(text) == 2 else 0)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Invalid(f"the year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    return year


def _month_number(text: str) -> int:
    month = int(text) if text.isdigit() else _MONTHS[text[:3]]
    if not 1 <= month <= 12:
        raise _Invalid(f"there is no month {month}")
    return month


def _ordinal(m: re.Match[str]) -> int:
    """The 3 of "Q3", "3Q" or "third"; the 2 of "H2", "2H", "second" or "late"."""
    word = m["n"] or m.groupdict().get("n2") or ""
    return int(word) if word.isdigit() else _ORDINALS[word]


def _not_stated(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return None, None, Precision.NONE


def _relative(m: re.Match[str], stated_on: date | None) -> _Bounds:
    if stated_on is None:
        raise _Invalid("a relative target needs the date the statement was made")
    n = m["n"]
    count = float(n) if n[0].isdigit() else _NUMBERS[n]
    months = count * (12 if m["unit"].startswith("year") else 1)
    if months < 1 or months != int(months):
        raise _Invalid("the length must be a whole number of months")
    return stated_on, _months(stated_on.year, stated_on.month, int(months) + 1)[1], Precision.RANGE


def _next_year(m: re.Match[str], stated_on: date | None) -> _Bounds:
    if stated_on is None:
        raise _Invalid("a relative target needs the date the statement was made")
    year = stated_on.year + (1 if m["which"] == "next" else 0)
    return *_months(year, 1, 12), Precision.YEAR


def _after(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return _closed(m["x"], stated_on)[1] + timedelta(days=1), None, Precision.OPEN


def _from(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return _closed(m["x"], stated_on)[0], None, Precision.OPEN


def _before(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return None, _closed(m["x"], stated_on)[0] - timedelta(days=1), Precision.RANGE


def _day_form(m: re.Match[str], stated_on: date | None) -> _Bounds:
    year, month = _year(m["y"]), _month_number(m["m"])
    try:
        day = date(year, month, int(m["d"]))
    except ValueError:
        raise _Invalid(f"{MONTH_ABBR[month]} {year} has no day {int(m['d'])}") from None
    return day, day, Precision.DAY


def _month_form(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return *_months(_year(m["y"]), _month_number(m["m"]), 1), Precision.MONTH


def _month_range(m: re.Match[str], stated_on: date | None) -> _Bounds:
    year, first, last = _year(m["y"]), _month_number(m["a"]), _month_number(m["b"])
    return date(year, first, 1), _month_end(year, last), Precision.RANGE


def _quarter(m: re.Match[str], stated_on: date | None) -> _Bounds:
    n = _ordinal(m)
    if not 1 <= n <= 4:
        raise _Invalid(f"there is no quarter {n} (quarters are Q1–Q4)")
    return *_months(_year(m["y"]), 3 * n - 2, 3), Precision.QUARTER


def _half(m: re.Match[str], stated_on: date | None) -> _Bounds:
    n = _ordinal(m)
    if not 1 <= n <= 2:
        raise _Invalid(f"there is no half {n} (halves are H1 and H2)")
    return *_months(_year(m["y"]), 6 * n - 5, 6), Precision.HALF


def _mid_year(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return *_months(_year(m["y"]), 4, 6), Precision.RANGE


def _fiscal_year(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return *_months(_year(m["y"]), 4, 12), Precision.YEAR  # Japanese FY: April to March


def _decade(m: re.Match[str], stated_on: date | None) -> _Bounds:
    year = _year(m["y"])
    if year % 10:
        raise _Invalid("a decade is written with a year ending in 0, such as 2030s")
    first, last = _DECADE_PARTS[m["part"]]
    return date(year + first, 1, 1), date(year + last, 12, 31), Precision.RANGE


def _year_form(m: re.Match[str], stated_on: date | None) -> _Bounds:
    return *_months(_year(m["y"]), 1, 12), Precision.YEAR


def _year_range(m: re.Match[str], stated_on: date | None) -> _Bounds:
    start, end = _year(m["a"]), m["b"]
    stop = start // 100 * 100 + int(end) if len(end) == 2 else _year(end)
    if stop < start:
        if m["sep"] == "-" and len(end) == 2 and int(end) > 12:
            raise _Invalid(f"{end} is neither a month nor a year after {start}")
        raise _Invalid("the range ends before it starts")
    precision = Precision.YEAR if stop == start else Precision.RANGE
    return date(start, 1, 1), date(stop, 12, 31), precision


def _general_range(m: re.Match[str], stated_on: date | None) -> _Bounds:
    earliest, latest = _closed(m["a"], stated_on)[0], _closed(m["b"], stated_on)[1]
    return earliest, latest, Precision.RANGE


_Handler = Callable[[re.Match[str], date | None], _Bounds]
_FORMS: list[tuple[re.Pattern[str], _Handler]] = [
    (
        re.compile(r"|not stated|none|n/?a|unspecified|unknown|tb[acd]|no date|undated"),
        _not_stated,
    ),
    (
        re.compile(
            rf"(?:within|in|over)?\s*(?:the )?(?:next )?(?P<n>\d+(?:\.\d+)?|{_NUMBER})"
            r" (?P<unit>years?|months?)"
        ),
        _relative,
    ),
    (re.compile(r"(?P<which>next|this) year"), _next_year),
    (re.compile(r"(?:after|beyond|post)[- ]?(?P<x>.+)"), _after),
    (re.compile(r"(?:from|starting(?: in| from)?) (?P<x>.+?)(?: onwards?)?"), _from),
    (re.compile(r"(?P<x>.+?) ?(?:onwards?|and beyond|and later|\+)"), _from),
    (re.compile(r"before (?P<x>.+)"), _before),
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"), _day_form),
    (re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{_MON}),? (?P<y>\d{{4}})"), _day_form),
    (re.compile(rf"(?P<m>{_MON}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})"), _day_form),
    (re.compile(r"(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])"), _month_form),
    (re.compile(r"(?P<m>\d{1,2})/(?P<y>\d{4})"), _month_form),
    (re.compile(rf"(?P<m>{_MON}),? ?(?P<y>\d{{4}})"), _month_form),
    (re.compile(rf"(?P<a>{_MON}) ?(?:–|-|to) ?(?P<b>{_MON}) (?P<y>\d{{4}})"), _month_range),
    (re.compile(r"(?:q(?P<n>\d)|(?P<n2>\d)q) ?[-/']? ?(?P<y>\d{4}|\d{2})"), _quarter),
    (re.compile(rf"(?P<n>{_ORDINAL}) quarter(?: of)? (?P<y>\d{{4}})"), _quarter),
    (re.compile(r"(?:h(?P<n>\d)|(?P<n2>\d)h) ?[-/']? ?(?P<y>\d{4}|\d{2})"), _half),
    (re.compile(rf"(?P<n>{_ORDINAL}) half(?: of)? (?P<y>\d{{4}})"), _half),
    (re.compile(r"(?P<n>early|late)[- ]?(?P<y>\d{4})"), _half),
    (re.compile(r"(?:mid|middle of)[- ]?(?P<y>\d{4})"), _mid_year),
    (re.compile(r"(?:fy|fiscal(?: year)?) ?'?(?P<y>\d{4}|\d{2})"), _fiscal_year),
    (re.compile(r"(?:(?P<part>early|mid|late)[- ]?)?(?P<y>\d{4})'?s"), _decade),
    (re.compile(r"(?P<y>\d{4})"), _year_form),
    (re.compile(r"(?P<a>\d{4}) ?(?P<sep>[-–/]|or|to|and) ?(?P<b>\d{4}|\d{2})"), _year_range),
    (re.compile(r"(?P<a>.+?) ?(?:–| - | to | or | through ) ?(?P<b>.+)"), _general_range),
]


def _parse(text: str, stated_on: date | None) -> _Bounds:
    """_Bounds for normalised (lower-case, single-spaced) text, or _Invalid."""
    while (stripped := _PREFIX.sub("", text, count=1)) != text:
        text = stripped
    text = text.rstrip(" .,;")
    for pattern, handler in _FORMS:
        if m := pattern.fullmatch(text):
            return handler(m, stated_on)
    raise _Invalid("")


def _closed(text: str, stated_on: date | None) -> tuple[date, date]:
    """_Bounds of a part of a larger form (e.g. the 2030 in "after 2030"); both ends must be set."""
    earliest, latest, _ = _parse(text, stated_on)
    if earliest is None or latest is None:
        raise _Invalid(f'"{text}" is not a definite period')
    return earliest, latest


def parse_period(
    text: str, *, stated_on: date | None = None, fiscal_year_start: int | None = None
) -> Period:
    """Read a target as stated ("by H2 2026", "FY2028") into a Period, or raise PeriodError."""
    stated = text.strip()
    try:
        if len(stated) > MAX_LENGTH:
            raise _Invalid(f"it is longer than {MAX_LENGTH} characters")
        normal = " ".join(stated.lower().translate(_TRANSLATE).split())
        if m := _PARENTHETICAL.fullmatch(normal):
            normal = m[1]
        earliest, latest, precision = _parse(normal, stated_on)
        if earliest and latest and earliest > latest:
            raise _Invalid("the range ends before it starts")
    except _Invalid as err:
        reason = f": {err}" if str(err) else ""
        raise PeriodError(
            f'Could not read "{stated}" as a target period{reason}. '
            f"Write it as stated in one of these forms: {EXAMPLES}."
        ) from None
    return Period(stated, earliest, latest, precision)
