"""Target periods: the words a company used, normalised to earliest/latest/precision.

A target is due at the END of its period (`latest`). An open-ended or unstated target has
`latest = None` and is never overdue. `format_period` derives the display label from the three
stored fields alone, and every label of a parsed form reads back to the same fields
(`parse_period(p.label)`), except "by 31 Aug 2025" for a before-range that does not end on 31 Dec.

Fiscal years follow the company's own: `fiscal_year_start` is the month (1–12) its fiscal year
starts, or None. FY N starts in that month of year N when the month is 1–6 (Japan's April:
FY2028 = 1 Apr 2028–31 Mar 2029) and in that month of year N−1 when it is 7–12 (a July or October
year is named by the year it ends in: FY2028 = 1 Oct 2027–30 Sep 2028); month 1 is the calendar
year. "FY" without a fiscal year is refused, never guessed. The label works back from the fields:
a 12-month "year" starting on the 1st of February–June is FY of its first year, of July–December
FY of its last year ("CY2027" is calendar 2027 and labelled "2027").

Decisions on loose forms (the methodology page lists them):
- "from 2027", "2027 onwards", "2030 or later", "not before 2030", "as early as 2027", "as soon
  as 2027", "2027 at the earliest", "最早2027年", "2030年及以后" are open from 1 Jan of that year,
  labelled "after 2026"; "after 2030", "beyond 2030", "2030年以后", "2030年后" are open from
  1 Jan 2031 ("after 2030"). An earliest-only form is never a deadline.
- "end of 2027", "by the end of 2027", "before the end of 2027", "year-end 2027", "2027年底",
  "2027年末", "2027年底前", "2027年内" are the year 2027 (due 31 Dec 2027); "end of March 2026" and
  "2026年3月底" are Mar 2026. "2028 at the latest", "no later than 2028", "最迟2028年" are 2028.
- "before 2027" and "2027年前" are due 31 Dec 2026 ("before 2027"), the strict reading.
- "around 2027", "circa 2027", "~2027", "2027年前后", "2027年左右" are the year 2027.
- Seasons are the northern hemisphere's meteorological ones: spring Mar–May, summer Jun–Aug,
  autumn/fall Sep–Nov, "winter 2024" (or "winter 2024/25") Dec 2024–Feb 2025.
- Relative forms need the statement's date: "this year", "later this year", "within the year",
  "今年", "年内" are the statement's calendar year; "next year", "明年" the one after ("后年" the
  one after that); "within 18 months" and "in two years" run from the statement to the end of
  the month that many months later. "This decade" and "(before/by) the end of the decade" are
  the statement's decade, 2020–2029 for the 2020s (due 31 Dec 2029); "by the middle of the
  decade" is its year ending in 5 (2025). "mid-2020s" stays 2024–26 (years 4–6).
- "between 2027 and 2030", "2027–2030", "2027 or 2028", "2027至2028年" are one range;
  "2027 and 2030", "2027, 2030" and any text with two targets ("2027年小批量，2030年量产") are
  refused: split them into one milestone per target. A single trailing parenthetical note
  ("2027 (small volume)") is kept in `stated` and does not change the period.
- "2011-12" with a plain hyphen and a month number is ISO month (Dec 2011), with an en dash it is
  years 2011–12.

The package: period.py (a period and its label), parse.py (reading a stated target).
"""

from claims.periods.parse import EXAMPLES, MAX_LENGTH, NO_FISCAL_YEAR, SEVERAL_TARGETS, parse_period
from claims.periods.period import (
    MONTH_ABBR,
    PRECISION_CHOICES,
    Dated,
    Period,
    PeriodError,
    Precision,
    format_period,
)

__all__ = [
    "Dated",
    "EXAMPLES",
    "MAX_LENGTH",
    "MONTH_ABBR",
    "NO_FISCAL_YEAR",
    "PRECISION_CHOICES",
    "Period",
    "PeriodError",
    "Precision",
    "SEVERAL_TARGETS",
    "format_period",
    "parse_period",
]
