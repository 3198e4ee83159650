"""Reading a stated target into a period: one small function per form family, tried in order;
relative forms read against the date of the statement, fiscal years against the company."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from claims.dates import month_end
from claims.periods.period import MONTH_ABBR, Period, PeriodError, Precision, month_span

MAX_LENGTH = 100
MIN_YEAR, MAX_YEAR = 1900, 2100
EXAMPLES = (
    '"Dec 2025", "H2 2026", "Q3 2026", "2027", "2027–28", "between 2027 and 2030", "FY2028", '
    '"mid-2020s", "2030s", "after 2030", "2027年底", "2026年下半年", "not stated"'
)
NO_FISCAL_YEAR = (
    "is in fiscal years, but the company has no fiscal year set: set its fiscal-year start month, "
    "or give the calendar period"
)
SEVERAL_TARGETS = "holds more than one target: split it into one milestone per target"


class _Invalid(Exception):
    """Raised inside the parsers with the reason; parse_period turns it into a PeriodError."""


class _Refused(_Invalid):
    """A readable text that is refused; the message follows the quoted text on its own."""


@dataclass(frozen=True)
class _Context:
    stated_on: date | None
    fiscal_year_start: int | None

    def statement_date(self) -> date:
        if self.stated_on is None:
            raise _Invalid("a relative target needs the date the statement was made")
        return self.stated_on

    def this_year(self) -> int:
        return self.statement_date().year


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
_ORDINALS |= {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}
_ORDINAL = "first|second|third|fourth|1st|2nd|3rd|4th"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUMBERS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUMBERS |= {"eighteen": 18, "twenty-four": 24}
_NUMBER = "|".join(sorted(_NUMBERS, key=len, reverse=True))
_DECADE_PARTS = {None: (0, 9), "early": (0, 3), "mid": (4, 6), "late": (7, 9)}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_YEAR = r"(?P<y>\d{4}|\d{2}|next year|this year)"  # for forms that may be relative
_ZH_YEAR = r"(?:(?P<y>\d{4})年|(?P<rel>今|明|后)年)"  # 2027年, 今年, 明年, 后年
_ZH_OFFSETS = {"今": 0, "明": 1, "后": 2}

_PREFIX = re.compile(
    r"^(?:(?:by the end of|by end of|by the end|before the end of|before end of|the end of"
    r"|end of|year[- ]end|end|by|in|around|circa|approximately|about|no later than"
    r"|not later than|at the latest|at latest|targeted for|targeting|target|sometime|the)\b[-:,]?"
    r"|approx\.|c\.|~|预计|计划|力争|争取|目标|有望|将于|将在|最迟|最晚|不晚于|到|于|在)\s*(?=\S)"
)
_SUFFIX = re.compile(r",? (?:at the latest|at latest)$")
_PARENTHETICAL = re.compile(r"^(.+?)\s*\([^()]*\)$")
_TRANSLATE = str.maketrans({"—": "–", "‐": "-", "‑": "-", "−": "-", "’": "'", "～": "~"})
_TRANSLATE |= str.maketrans("，；、（）：０１２３４５６７８９ｑｈ", ",;,():0123456789qh")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEPARATOR = re.compile(r";|,| and | & | plus ")
_DATE_WORD = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|next year|this year|今年|明年|后年")


def _year(text: str) -> int:
    year = int(text) + (2000 if len(text) == 2 else 0)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Invalid(f"the year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    return year


def _year_in(m: re.Match[str], ctx: _Context) -> int:
    """The year of a form: written out, or relative to the statement ("next year", "明年")."""
    groups = m.groupdict()
    written = groups.get("y") or ""
    if written[:1].isdigit():
        return _year(written)
    return ctx.this_year() + (written == "next year") + _ZH_OFFSETS[groups.get("rel") or "今"]


def _month_number(text: str) -> int:
    month = int(text) if text.isdigit() else _MONTHS[text[:3]]
    if not 1 <= month <= 12:
        raise _Invalid(f"there is no month {month}")
    return month


def _ordinal(m: re.Match[str]) -> int:
    """The 3 of "Q3", "3Q", "third" or "三"; the 2 of "H2", "2H", "second", "late" or "下"."""
    word = m["n"] or m.groupdict().get("n2") or ""
    return int(word) if word.isdigit() else _ORDINALS[word]


def _not_stated(m: re.Match[str], ctx: _Context) -> _Bounds:
    return None, None, Precision.NONE


def _relative(m: re.Match[str], ctx: _Context) -> _Bounds:
    stated_on = ctx.statement_date()
    n = m["n"]
    count = float(n) if n[0].isdigit() else _NUMBERS[n]
    months = count * (12 if m["unit"].startswith("year") else 1)
    if months < 1 or months != int(months):
        raise _Invalid("the length must be a whole number of months")
    if stated_on.year + months / 12 > MAX_YEAR:
        raise _Invalid(f"it would end after {MAX_YEAR}")
    return (
        stated_on,
        month_span(stated_on.year, stated_on.month, int(months) + 1)[1],
        Precision.RANGE,
    )


def _this_decade(m: re.Match[str], ctx: _Context) -> _Bounds:
    decade = ctx.this_year() // 10 * 10
    if m["mid"]:
        return *month_span(decade + 5, 1, 12), Precision.YEAR
    return date(decade, 1, 1), date(decade + 9, 12, 31), Precision.RANGE


def _after(m: re.Match[str], ctx: _Context) -> _Bounds:
    return _closed(m["x"], ctx)[1] + timedelta(days=1), None, Precision.OPEN


def _from(m: re.Match[str], ctx: _Context) -> _Bounds:
    return _closed(m["x"], ctx)[0], None, Precision.OPEN


def _before(m: re.Match[str], ctx: _Context) -> _Bounds:
    return None, _closed(m["x"], ctx)[0] - timedelta(days=1), Precision.RANGE


def _day_form(m: re.Match[str], ctx: _Context) -> _Bounds:
    year, month = _year_in(m, ctx), _month_number(m["m"])
    try:
        day = date(year, month, int(m["d"]))
    except ValueError:
        raise _Invalid(f"{MONTH_ABBR[month]} {year} has no day {int(m['d'])}") from None
    return day, day, Precision.DAY


def _month_form(m: re.Match[str], ctx: _Context) -> _Bounds:
    return *month_span(_year_in(m, ctx), _month_number(m["m"]), 1), Precision.MONTH


def _month_range(m: re.Match[str], ctx: _Context) -> _Bounds:
    year, first, last = _year(m["y"]), _month_number(m["a"]), _month_number(m["b"])
    return date(year, first, 1), month_end(year, last), Precision.RANGE


def _season(m: re.Match[str], ctx: _Context) -> _Bounds:
    year, season = _year(m["y"]), m["season"]
    if m["y2"] and (season != "winter" or int(m["y2"]) % 100 != (year + 1) % 100):
        raise _Invalid("only a winter spans two years, the second following the first")
    return *month_span(year, _SEASONS[season], 3), Precision.RANGE


def _quarter(m: re.Match[str], ctx: _Context) -> _Bounds:
    n = _ordinal(m)
    if not 1 <= n <= 4:
        raise _Invalid(f"there is no quarter {n} (quarters are Q1–Q4)")
    return *month_span(_year_in(m, ctx), 3 * n - 2, 3), Precision.QUARTER


def _half(m: re.Match[str], ctx: _Context) -> _Bounds:
    n = _ordinal(m)
    if not 1 <= n <= 2:
        raise _Invalid(f"there is no half {n} (halves are H1 and H2)")
    return *month_span(_year_in(m, ctx), 6 * n - 5, 6), Precision.HALF


def _mid_year(m: re.Match[str], ctx: _Context) -> _Bounds:
    return *month_span(_year_in(m, ctx), 4, 6), Precision.RANGE


def _fiscal_year(m: re.Match[str], ctx: _Context) -> _Bounds:
    start = ctx.fiscal_year_start
    if start is None:
        raise _Refused(NO_FISCAL_YEAR)
    year = _year(m["y"])
    return *month_span(year - (start >= 7), start, 12), Precision.YEAR


def _decade(m: re.Match[str], ctx: _Context) -> _Bounds:
    year = _year(m["y"])
    if year % 10:
        raise _Invalid("a decade is written with a year ending in 0, such as 2030s")
    first, last = _DECADE_PARTS[m["part"]]
    return date(year + first, 1, 1), date(year + last, 12, 31), Precision.RANGE


def _year_form(m: re.Match[str], ctx: _Context) -> _Bounds:
    return *month_span(_year_in(m, ctx), 1, 12), Precision.YEAR


def _year_range(m: re.Match[str], ctx: _Context) -> _Bounds:
    start, end = _year(m["a"]), m["b"]
    stop = start // 100 * 100 + int(end) if len(end) == 2 else _year(end)
    if stop < start:
        if m["sep"] == "-" and len(end) == 2 and int(end) > 12:
            raise _Invalid(f"{end} is neither a month nor a year after {start}")
        raise _Invalid("the range ends before it starts")
    precision = Precision.YEAR if stop == start else Precision.RANGE
    return date(start, 1, 1), date(stop, 12, 31), precision


def _general_range(m: re.Match[str], ctx: _Context) -> _Bounds:
    earliest, latest = _closed(m["a"], ctx)[0], _closed(m["b"], ctx)[1]
    return earliest, latest, Precision.RANGE


_Handler = Callable[[re.Match[str], _Context], _Bounds]


def _part_forms(letter: str, word: str, handler: _Handler) -> list[tuple[str, _Handler]]:
    """The forms of a part of a year, e.g. for quarters (letter q, word quarter): "Q3 2026",
    "3Q26", "2026-Q3", "2026 3Q", "third quarter of 2026"."""
    return [
        (rf"(?:{letter}(?P<n>\d)|(?P<n2>\d){letter}) ?[-/']? ?(?P<y>\d{{4}}|\d{{2}})", handler),
        (rf"(?P<y>\d{{4}}) ?[-/]? ?(?:{letter}(?P<n>\d)|(?P<n2>\d){letter})", handler),
        (rf"(?P<n>{_ORDINAL}) {word}(?: of)? {_YEAR}", handler),
    ]


#: Each form's pattern (matched against the whole normalised text) and its reader, in order.
_FORM_PATTERNS: list[tuple[str, _Handler]] = [
    (r"|not stated|none|n/?a|unspecified|unknown|tb[acd]|no date|undated", _not_stated),
    (
        rf"(?:within|in|over)?\s*(?:the )?(?:next )?(?P<n>\d+(?:\.\d+)?|{_NUMBER})"
        r" (?P<unit>years?|months?)",
        _relative,
    ),
    (r"(?:later |within (?:the )?)?(?P<y>next year|this year)", _year_form),
    (r"within the year|(?:the )?current year|(?P<rel>今)?年内", _year_form),
    (r"(?:(?P<mid>middle of|mid-?) ?)?(?:the |this |current )?decade", _this_decade),
    # Earliest-only forms: open from the start of their period, never a deadline.
    (
        r"(?:as early as|as soon as|at the earliest|at earliest|not before|no earlier than"
        r"|not earlier than|earliest|最早(?:于|在|将于|到)?|不早于) ?(?P<x>.+)",
        _from,
    ),
    (r"(?:after|beyond|post)[- ]?(?P<x>.+)", _after),
    (r"(?:from|starting(?: in| from)?) (?P<x>.+?)(?: onwards?)?", _from),
    (
        r"(?P<x>.+?),? ?(?:onwards?|and beyond|and later|or later|or after|or beyond"
        r"|at the earliest|at earliest|\+)",
        _from,
    ),
    (r"before (?P<x>.+)", _before),
    (r"between (?P<a>.+?) and (?P<b>.+)", _general_range),
    (r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})", _day_form),
    (rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{_MON}),? (?P<y>\d{{4}})", _day_form),
    (rf"(?P<m>{_MON}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})", _day_form),
    (r"(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])", _month_form),
    (r"(?P<m>\d{1,2})/(?P<y>\d{4})", _month_form),
    (rf"(?P<m>{_MON}),? ?(?P<y>\d{{4}})", _month_form),
    (rf"(?P<a>{_MON}) ?(?:–|-|to) ?(?P<b>{_MON}) (?P<y>\d{{4}})", _month_range),
    (
        r"(?P<season>spring|summer|autumn|fall|winter)(?: of)? (?P<y>\d{4})"
        r"(?:[-–/](?P<y2>\d{4}|\d{2}))?",
        _season,
    ),
    *_part_forms("q", "quarter", _quarter),
    *_part_forms("h", "half", _half),
    (rf"(?P<n>early|late)[- ]?{_YEAR}", _half),
    (rf"(?:mid|middle of)[- ]?{_YEAR}", _mid_year),
    (r"(?:fy|fiscal(?: year)?) ?'?(?P<y>\d{4}|\d{2})", _fiscal_year),
    (r"cy ?'?(?P<y>\d{4}|\d{2})", _year_form),
    (r"(?:(?P<part>early|mid|late)[- ]?)?(?P<y>\d{4})'?s", _decade),
    (r"(?P<y>\d{4})", _year_form),
    (r"(?P<a>\d{4}) ?(?P<sep>[-–/]|or|to) ?(?P<b>\d{4}|\d{2})", _year_range),
    # Chinese, with the spaces removed: 2027年底, 明年下半年, 2026年第三季度, 2030年以后, …
    (rf"{_ZH_YEAR}(?:年?[底末]前?|年?内|左右|前后)?", _year_form),
    (rf"{_ZH_YEAR}(?P<n>[上下])半年", _half),
    (rf"{_ZH_YEAR}(?:第?(?P<n>[一二三四\d])季度|q(?P<n2>\d))", _quarter),
    (rf"{_ZH_YEAR}(?P<m>\d{{1,2}})月(?:份|[底末]前?)?", _month_form),
    (rf"{_ZH_YEAR}(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]", _day_form),
    (r"(?P<x>\d{4}年)(?:之?前|以前)", _before),
    (r"(?P<x>\d{4}年)(?:以后|之后|后)", _after),
    (r"(?P<x>\d{4}年)(?:及以后|及之后|起|开始)", _from),
    (r"(?P<a>\d{4})年?(?P<sep>[-–~至到])(?P<b>\d{4}|\d{2})年", _year_range),
    (r"(?P<a>.+?) ?(?:–| - | to | or | through |至|到) ?(?P<b>.+)", _general_range),
]
_FORMS = [(re.compile(pattern), handler) for pattern, handler in _FORM_PATTERNS]


def _parse(text: str, ctx: _Context) -> _Bounds:
    """_Bounds for normalised (lower-case, single-spaced) text, or _Invalid."""
    while (stripped := _SUFFIX.sub("", _PREFIX.sub("", text, count=1))) != text:
        text = stripped
    text = text.rstrip(" .,;")
    for pattern, handler in _FORMS:
        if m := pattern.fullmatch(text):
            return handler(m, ctx)
    raise _Invalid("")


def _closed(text: str, ctx: _Context) -> tuple[date, date]:
    """_Bounds of a part of a larger form (e.g. the 2030 in "after 2030"); both ends must be set."""
    earliest, latest, _ = _parse(text, ctx)
    if earliest is None or latest is None:
        raise _Invalid(f'"{text}" is not a definite period')
    return earliest, latest


def _holds_several(text: str) -> bool:
    """Whether the text names dates in more than one of its ;/,/and-separated parts."""
    bare = re.sub(r"\([^()]*\)", " ", text)
    return sum(bool(_DATE_WORD.search(part)) for part in _SEPARATOR.split(bare)) > 1


def _shown(text: str, limit: int = 120) -> str:
    """The editor's text as quoted back in a message: a long one cut short."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_period(
    text: str, *, stated_on: date | None = None, fiscal_year_start: int | None = None
) -> Period:
    """Read a target as stated ("by H2 2026", "FY2028") into a Period, or raise PeriodError.

    `stated_on` is the statement's date (for "next year", "within 18 months"); `fiscal_year_start`
    the month the company's fiscal year starts, if it reports in fiscal years.
    """
    if fiscal_year_start is not None and not 1 <= fiscal_year_start <= 12:
        raise ValueError(f"fiscal_year_start must be a month 1–12, not {fiscal_year_start!r}")
    stated = text.strip()
    ctx = _Context(stated_on, fiscal_year_start)
    normal = " ".join(stated.lower().translate(_TRANSLATE).split())
    try:
        if len(stated) > MAX_LENGTH:
            raise _Invalid(f"it is longer than {MAX_LENGTH} characters")
        target = m[1] if (m := _PARENTHETICAL.fullmatch(normal)) else normal
        if _CJK.search(target):
            target = target.replace(" ", "")
        try:
            earliest, latest, precision = _parse(target, ctx)
        except _Invalid as err:
            if not str(err) and _holds_several(normal):
                raise _Refused(SEVERAL_TARGETS) from None
            raise
        if earliest and latest and earliest > latest:
            raise _Invalid("the range ends before it starts")
    except _Refused as err:
        raise PeriodError(f'"{_shown(stated)}" {err}.') from None
    except _Invalid as err:
        reason = f": {err}" if str(err) else ""
        raise PeriodError(
            f'Could not read "{_shown(stated)}" as a target period{reason}. '
            f"Write it as stated in one of these forms: {EXAMPLES}."
        ) from None
    return Period(stated, earliest, latest, precision)
