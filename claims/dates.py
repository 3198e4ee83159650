"""Partial dates: when something was said, achieved or published, as precisely as the source says.

A partial date is stored as its first day (`earliest`) and a precision (day, month, quarter, half,
year); its last day is `date_end(earliest, precision)`. It is entered as the source gives it
("2025", "2025-11", "Nov 2025", "2025-Q4", "2025年11月") and shown at that precision, never as an
invented day. `partial_date_text` writes the editable text that `parse_partial_date` reads back.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

DATE_PRECISIONS = ("day", "month", "quarter", "half", "year")
MIN_YEAR, MAX_YEAR = 1900, 2100
_MONTHS_IN = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(_ABBR) if name}
_QUARTER_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FOLD = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "／": "/"})
_FOLD |= str.maketrans("０１２３４５６７８９ｑｈ", "0123456789qh")


class PartialDateError(ValueError):
    """The text could not be read as a date; the message is written for an editor."""


def date_end(earliest: date, precision: str) -> date:
    """The last day of the period of `precision` that starts at `earliest`."""
    if precision == "day":
        return earliest
    return add_months(earliest, _MONTHS_IN[precision] - 1, day=31)


# -- month arithmetic (the one place: partial dates, target periods and the status rules) ------


ONE_DAY = timedelta(days=1)


def month_end(year: int, month: int) -> date:
    """The last day of the month."""
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - ONE_DAY


def add_months(d: date, months: int, *, day: int | None = None) -> date:
    """d moved by whole months, the day clamped to the month's length (day=31: its last day)."""
    year, month = divmod(d.year * 12 + (d.month - 1) + months, 12)
    last = month_end(year, month + 1)
    return last.replace(day=min(day or d.day, last.day))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end; negative when end is earlier.

    A month counts once end reaches the same day of a later month, or that month's last day
    (31 Dec to 28 Feb is two whole months).
    """
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day and end != month_end(end.year, end.month):
        months -= 1
    return months


_MON = (
    r"(?P<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_Y = r"(?P<y>\d{4})"
_D = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"{_Y}[-/](?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}})"), "day"),
    (re.compile(rf"{_D} {_MON},? {_Y}"), "day"),
    (re.compile(rf"{_MON} {_D},? {_Y}"), "day"),
    (re.compile(rf"{_Y}年(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]"), "day"),
    (re.compile(rf"{_Y}[-/](?P<m>\d{{1,2}})"), "month"),
    (re.compile(rf"{_MON},? {_Y}"), "month"),
    (re.compile(rf"{_Y}年(?P<m>\d{{1,2}})月份?"), "month"),
    (re.compile(rf"(?:q(?P<n>[1-4])|(?P<n2>[1-4])q) ?{_Y}"), "quarter"),
    (re.compile(rf"{_Y} ?-? ?q(?P<n>[1-4])"), "quarter"),
    (re.compile(rf"{_Y}年(?:第?(?P<n>[一二三四1-4])季度|q(?P<n2>[1-4]))"), "quarter"),
    (re.compile(rf"(?:h(?P<n>[12])|(?P<n2>[12])h) ?{_Y}"), "half"),
    (re.compile(rf"{_Y} ?-? ?h(?P<n>[12])"), "half"),
    (re.compile(rf"{_Y}年(?P<half>上|下)半年"), "half"),
    (re.compile(rf"{_Y}年?"), "year"),
]


def _error(text: str, reason: str = "") -> PartialDateError:
    return PartialDateError(
        f'Could not read "{text if len(text) <= 40 else text[:39] + "…"}" as a date'
        f"{': ' + reason if reason else ''}. Write it as precisely"
        ' as the source gives it: "2025-11-03", "2025-11", "Nov 2025", "2025-Q4", "2025-H2",'
        ' "2025" or "2025年11月".'
    )


def _earliest(m: re.Match[str], precision: str) -> date:
    groups = m.groupdict()
    year = int(m["y"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"the year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    if precision == "year":
        return date(year, 1, 1)
    if precision == "half":
        n = {"上": "1", "下": "2"}.get(groups.get("half") or "") or groups.get("n") or m["n2"]
        return date(year, 6 * int(n) - 5, 1)
    if precision == "quarter":
        n = groups.get("n") or m["n2"]
        return date(year, 3 * _QUARTER_NUMBER[n] - 2, 1)
    month = int(m["m"]) if m["m"].isdigit() else _MONTH_NUMBER[m["m"][:3]]
    if not 1 <= month <= 12:
        raise ValueError(f"there is no month {month}")
    if precision == "month":
        return date(year, month, 1)
    try:
        return date(year, month, int(m["d"]))
    except ValueError:
        raise ValueError(f"{_ABBR[month]} {year} has no day {int(m['d'])}") from None


def parse_partial_date(text: str | date) -> tuple[date, str]:
    """(earliest, precision) for a date as a source gives it; a date object is a day."""
    if isinstance(text, datetime):
        return text.date(), "day"
    if isinstance(text, date):
        return text, "day"
    stated = text.strip()
    normal = " ".join(stated.lower().translate(_FOLD).split())
    if "年" in normal:
        normal = normal.replace(" ", "")
    for pattern, precision in _FORMS:
        if m := pattern.fullmatch(normal):
            try:
                return _earliest(m, precision), precision
            except ValueError as err:
                raise _error(stated, str(err)) from None
    raise _error(stated)


def format_partial_date(earliest: date | None, precision: str) -> str:
    """The display: "3 Nov 2025", "Nov 2025", "Q4 2025", "H2 2025", "2025"; "" for no date."""
    if earliest is None:
        return ""
    e = earliest
    return {
        "day": lambda: f"{e.day} {_ABBR[e.month]} {e.year}",
        "month": lambda: f"{_ABBR[e.month]} {e.year}",
        "quarter": lambda: f"Q{(e.month - 1) // 3 + 1} {e.year}",
        "half": lambda: f"H{1 if e.month <= 6 else 2} {e.year}",
        "year": lambda: str(e.year),
    }[precision]()


def partial_date_text(earliest: date | None, precision: str) -> str:
    """Editable text that parse_partial_date reads back: "2025-11-03", "2025-Q4", "2025"."""
    if earliest is None:
        return ""
    e = earliest
    return {
        "day": lambda: e.isoformat(),
        "month": lambda: f"{e.year}-{e.month:02}",
        "quarter": lambda: f"{e.year}-Q{(e.month - 1) // 3 + 1}",
        "half": lambda: f"{e.year}-H{1 if e.month <= 6 else 2}",
        "year": lambda: str(e.year),
    }[precision]()


def span_precision(earliest: date | None, latest: date | None) -> str:
    """The precision whose single period is exactly earliest..latest, else "range"."""
    if earliest is None or latest is None:
        return "range"
    if earliest == latest:
        return "day"
    starts = {"month": range(1, 13), "quarter": (1, 4, 7, 10), "half": (1, 7), "year": (1,)}
    for precision, months in starts.items():
        fits = earliest.day == 1 and earliest.month in months
        if fits and date_end(earliest, precision) == latest:
            return precision
    return "range"


def format_span(earliest: date | None, latest: date | None) -> str:
    """A label for earliest..latest: one period as format_partial_date shows it, else a compact
    range ("Mar–Jun 2025", "Nov 2024–Feb 2025", "2024–25", "3 Mar–9 Jun 2025")."""
    if earliest is None or latest is None:
        known = earliest or latest
        day = format_partial_date(known, "day")
        return "" if known is None else (f"from {day}" if earliest else f"by {day}")
    precision = span_precision(earliest, latest)
    if precision != "range":
        return format_partial_date(earliest, precision)
    e, lt = earliest, latest
    if e.day == 1 and latest == date_end(date(lt.year, lt.month, 1), "month"):
        if (e.month, lt.month) == (1, 12):
            same_century = e.year // 100 == lt.year // 100
            return f"{e.year}–{str(lt.year)[2:] if same_century else lt.year}"
        if e.year == lt.year:
            return f"{_ABBR[e.month]}–{_ABBR[lt.month]} {lt.year}"
        return f"{_ABBR[e.month]} {e.year}–{_ABBR[lt.month]} {lt.year}"
    if e.year != lt.year:
        return f"{format_partial_date(e, 'day')}–{format_partial_date(lt, 'day')}"
    if e.month != lt.month:
        return f"{e.day} {_ABBR[e.month]}–{format_partial_date(lt, 'day')}"
    return f"{e.day}–{format_partial_date(lt, 'day')}"


def datetime_attr(earliest: date | None, latest: date | None) -> str:
    """A <time datetime> value no more precise than the span: "2025-11-03", "2025-11", "2025"."""
    if earliest is None:
        return ""
    precision = span_precision(earliest, latest)
    if precision == "day":
        return earliest.isoformat()
    if precision == "month":
        return f"{earliest:%Y-%m}"
    if latest is not None and earliest.year == latest.year:
        return str(earliest.year)
    return ""
