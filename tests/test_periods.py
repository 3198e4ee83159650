"""Target periods: parsing what companies said into earliest/latest/precision, and labelling it."""

from datetime import date, timedelta

import pytest

from claims.periods import (
    PRECISION_CHOICES,
    Period,
    PeriodError,
    Precision,
    format_period,
    parse_period,
)

D = date
STATED_ON = date(2025, 9, 2)

DAY_2025_09_02 = (D(2025, 9, 2), D(2025, 9, 2), Precision.DAY, "2 Sep 2025")
DEC_2025 = (D(2025, 12, 1), D(2025, 12, 31), Precision.MONTH, "Dec 2025")
Q3_2026 = (D(2026, 7, 1), D(2026, 9, 30), Precision.QUARTER, "Q3 2026")
H2_2026 = (D(2026, 7, 1), D(2026, 12, 31), Precision.HALF, "H2 2026")
H1_2027 = (D(2027, 1, 1), D(2027, 6, 30), Precision.HALF, "H1 2027")
MID_2026 = (D(2026, 4, 1), D(2026, 9, 30), Precision.RANGE, "Apr–Sep 2026")
YEARS_2027_28 = (D(2027, 1, 1), D(2028, 12, 31), Precision.RANGE, "2027–28")
THE_2030S = (D(2030, 1, 1), D(2039, 12, 31), Precision.RANGE, "2030s")
AFTER_2030 = (D(2031, 1, 1), None, Precision.OPEN, "after 2030")
FROM_2027 = (D(2027, 1, 1), None, Precision.OPEN, "after 2026")
NOT_STATED = (None, None, Precision.NONE, "not stated")
DAY_RANGE = "2 Sep 2025–1 Sep 2027"


def year(y: int) -> tuple[date, date, Precision, str]:
    return D(y, 1, 1), D(y, 12, 31), Precision.YEAR, str(y)


ACCEPTED = [
    *[(text, *DAY_2025_09_02) for text in ("2025-09-02", "2 Sep 2025", "September 2, 2025")],
    *[(text, *DAY_2025_09_02) for text in ("2nd September 2025", "Sep 2 2025", "by 2 Sep 2025")],
    *[(text, *DEC_2025) for text in ("Dec 2025", "December 2025", "by December 2025")],
    *[(text, *DEC_2025) for text in ("2025-12", "12/2025", "Dec. 2025", "end of Dec 2025")],
    ("Sept. 2025", D(2025, 9, 1), D(2025, 9, 30), Precision.MONTH, "Sep 2025"),
    *[(text, *Q3_2026) for text in ("Q3 2026", "3Q 2026", "3Q26", "third quarter of 2026")],
    ("Q4 2025", D(2025, 10, 1), D(2025, 12, 31), Precision.QUARTER, "Q4 2025"),
    *[(text, *H2_2026) for text in ("H2 2026", "2H 2026", "second half of 2026", "late 2026")],
    ("in the second half of 2026", *H2_2026),
    *[(text, *H1_2027) for text in ("H1 2027", "first half of 2027", "early 2027", "1H27")],
    *[(text, *MID_2026) for text in ("mid-2026", "mid 2026", "by mid-2026", "Apr–Sep 2026")],
    *[(text, *year(2027)) for text in ("2027", "by 2027", "in 2027", "2027 (small volume)")],
    *[(text, *year(2026)) for text in ("by end of 2026", "end of 2026")],
    *[(text, *year(2030)) for text in ("around 2030", "~2030", "circa 2030", "c. 2030")],
    *[(text, *year(2030)) for text in ("approximately 2030", "target 2030")],
    *[(text, *year(2025)) for text in ("by the end of 2025", "end-2025", "year-end 2025")],
    *[(text, *YEARS_2027_28) for text in ("2027-28", "2027–28", "2027—28", "2027–2028")],
    *[(text, *YEARS_2027_28) for text in ("2027-2028", "2027 or 2028", "2027/28")],
    ("2029–31", D(2029, 1, 1), D(2031, 12, 31), Precision.RANGE, "2029–31"),
    ("2029–2031", D(2029, 1, 1), D(2031, 12, 31), Precision.RANGE, "2029–31"),
    ("1999–2001", D(1999, 1, 1), D(2001, 12, 31), Precision.RANGE, "1999–2001"),
    ("mid-2020s", D(2024, 1, 1), D(2026, 12, 31), Precision.RANGE, "2024–26"),
    ("early 2030s", D(2030, 1, 1), D(2033, 12, 31), Precision.RANGE, "2030–33"),
    ("late 2020s", D(2027, 1, 1), D(2029, 12, 31), Precision.RANGE, "2027–29"),
    *[(text, *THE_2030S) for text in ("2030s", "the 2030s")],
    *[(text, *AFTER_2030) for text in ("after 2030", "beyond 2030", "post-2030")],
    *[(text, *FROM_2027) for text in ("from 2027", "2027 onwards", "from 2027 onward")],
    ("as soon as 2027", *FROM_2027),
    ("before 2030", None, D(2029, 12, 31), Precision.RANGE, "before 2030"),
    *[(text, *NOT_STATED) for text in ("not stated", "", "none", "n/a", "unspecified")],
    *[(text, *NOT_STATED) for text in ("tbd", "no date", "undated", "   ")],
    ("Mar 2025–Feb 2027", D(2025, 3, 1), D(2027, 2, 28), Precision.RANGE, "Mar 2025–Feb 2027"),
    (DAY_RANGE, D(2025, 9, 2), D(2027, 9, 1), Precision.RANGE, DAY_RANGE),
]

RELATIVE = [
    ("within two years", D(2025, 9, 2), D(2027, 9, 30), "2 Sep 2025–30 Sep 2027"),
    ("in two years", D(2025, 9, 2), D(2027, 9, 30), "2 Sep 2025–30 Sep 2027"),
    ("within 18 months", D(2025, 9, 2), D(2027, 3, 31), "2 Sep 2025–31 Mar 2027"),
    ("in 3 years", D(2025, 9, 2), D(2028, 9, 30), "2 Sep 2025–30 Sep 2028"),
]

REJECTED = [
    "soonish",
    "next year",
    "2025-13",
    "31 Feb 2025",
    "29 Feb 2027",
    "Q5 2026",
    "H3 2026",
    "Q3 FY2026",
    "2028-27",
    "2028–2026",
    "Sep–Apr 2026",
    "1899",
    "2101",
    "Dec 1850",
    "2025s",
    "after",
    "within two years",
    "x" * 101,
]

ROUND_TRIP_LABELS = [
    "2 Sep 2025",
    "Dec 2025",
    "Feb 2028",
    "Q3 2026",
    "H1 2027",
    "H2 2026",
    "Apr–Sep 2026",
    "2027",
    "2027–28",
    "1999–2001",
    "2024–26",
    "2030–33",
    "2030s",
    "after 2030",
    "after Jun 2026",
    "before 2030",
    "not stated",
    "Mar 2025–Feb 2027",
    "2 Sep 2025–30 Sep 2027",
]


def fields(period: Period) -> tuple[date | None, date | None, Precision]:
    return period.earliest, period.latest, period.precision


@pytest.mark.parametrize(("text", "earliest", "latest", "precision", "label"), ACCEPTED)
def test_every_stated_form_parses_to_its_period(text, earliest, latest, precision, label):
    period = parse_period(text)
    assert fields(period) == (earliest, latest, precision)
    assert period.label == label


@pytest.mark.parametrize(("text", "earliest", "latest", "label"), RELATIVE)
def test_a_relative_target_runs_from_the_statement_to_the_end_of_its_last_month(
    text, earliest, latest, label
):
    period = parse_period(text, stated_on=STATED_ON)
    assert fields(period) == (earliest, latest, Precision.RANGE)
    assert period.label == label


def test_next_year_is_read_against_the_statement_date():
    assert fields(parse_period("next year", stated_on=STATED_ON)) == year(2026)[:3]


@pytest.mark.parametrize("text", [row[0] for row in ACCEPTED] + [row[0] for row in RELATIVE])
def test_every_parsed_period_is_ordered_labelled_from_its_fields_and_reads_back(text):
    period = parse_period(text, stated_on=STATED_ON)
    if period.earliest and period.latest:
        assert period.earliest <= period.latest
    assert period.is_dated == (period.latest is not None)
    assert period.label == format_period(period.earliest, period.latest, period.precision)
    assert fields(parse_period(period.label)) == fields(period)


@pytest.mark.parametrize("label", ROUND_TRIP_LABELS)
def test_every_label_that_is_a_stated_form_reads_back_to_the_same_period(label):
    period = parse_period(label)
    assert period.label == label
    assert fields(parse_period(period.label)) == fields(period)


@pytest.mark.parametrize("text", REJECTED)
def test_unreadable_or_impossible_targets_are_rejected_naming_the_text(text):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert f'Could not read "{text}" as a target period' in str(caught.value)
    assert '"after 2030", "2027年底", "2026年下半年", "not stated".' in str(caught.value)


def test_the_rejection_message_is_a_plain_sentence_with_examples():
    with pytest.raises(PeriodError) as caught:
        parse_period("soonish")
    assert str(caught.value) == (
        'Could not read "soonish" as a target period. Write it as stated in one of these forms: '
        '"Dec 2025", "H2 2026", "Q3 2026", "2027", "2027–28", "between 2027 and 2030", "FY2028", '
        '"mid-2020s", "2030s", "after 2030", "2027年底", "2026年下半年", "not stated".'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-13", "13 is neither a month nor a year after 2025"),
        ("31 Feb 2025", "Feb 2025 has no day 31"),
        ("Q5 2026", "there is no quarter 5"),
        ("H3 2026", "there is no half 3"),
        ("2028–2026", "the range ends before it starts"),
        ("2101", "the year 2101 is outside 1900–2100"),
        ("x" * 101, "longer than 100 characters"),
        ("within two years", "a relative target needs the date the statement was made"),
        ("next year", "a relative target needs the date the statement was made"),
    ],
)
def test_a_rejection_says_why_when_it_can(text, reason):
    with pytest.raises(PeriodError, match=reason):
        parse_period(text)


def test_a_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)


def test_february_ends_on_the_29th_in_a_leap_year():
    assert parse_period("Feb 2028").latest == D(2028, 2, 29)
    assert parse_period("Feb 2027").latest == D(2027, 2, 28)
    assert parse_period("29 Feb 2028").latest == D(2028, 2, 29)


def test_case_and_surrounding_whitespace_are_ignored():
    assert fields(parse_period("  BY dEcEmBeR   2025 \n")) == DEC_2025[:3]


def test_the_stated_text_is_kept_stripped_with_any_parenthetical():
    period = parse_period("  FY2025 (by 2026-03)  ", fiscal_year_start=4)
    assert period.stated == "FY2025 (by 2026-03)"
    assert fields(period) == (D(2025, 4, 1), D(2026, 3, 31), Precision.YEAR)


def test_a_hyphenated_month_number_is_a_month_but_a_dashed_pair_is_a_year_range():
    assert fields(parse_period("2011-12")) == (D(2011, 12, 1), D(2011, 12, 31), Precision.MONTH)
    assert fields(parse_period("2011–12")) == (D(2011, 1, 1), D(2012, 12, 31), Precision.RANGE)


@pytest.mark.parametrize("text", ["after 2030", "from 2027", "not stated", ""])
def test_open_ended_and_unstated_targets_are_not_dated(text):
    period = parse_period(text)
    assert period.latest is None
    assert not period.is_dated


def test_a_dated_target_is_due_at_the_end_of_its_period():
    assert parse_period("H2 2026").is_dated
    assert parse_period("before 2030").is_dated


@pytest.mark.parametrize(
    ("earliest", "latest", "precision", "label"),
    [
        (D(2099, 1, 1), D(2101, 12, 31), "range", "2099–2101"),
        (None, D(2025, 8, 31), "range", "by 31 Aug 2025"),
        (D(2026, 7, 1), None, "open", "after Jun 2026"),
        (D(2025, 9, 2), None, "open", "after 1 Sep 2025"),
        (D(2026, 4, 1), D(2026, 9, 30), "month", "Apr–Sep 2026"),
        (D(2025, 3, 1), D(2027, 2, 28), "range", "Mar 2025–Feb 2027"),
        (D(2025, 9, 2), D(2027, 9, 1), "range", "2 Sep 2025–1 Sep 2027"),
        (D(2030, 1, 1), D(2039, 12, 31), Precision.RANGE, "2030s"),
        (D(2025, 1, 1), D(2025, 12, 31), "none", "not stated"),
        (None, None, "open", "not stated"),
    ],
)
def test_format_period_works_from_the_stored_fields_alone(earliest, latest, precision, label):
    assert format_period(earliest, latest, precision) == label


def test_precision_choices_list_every_precision_in_order_for_a_model_field():
    assert [value for value, _ in PRECISION_CHOICES] == [p.value for p in Precision]
    assert dict(PRECISION_CHOICES)["open"] == "Open-ended"
    assert dict(PRECISION_CHOICES)["none"] == "Not stated"


# ---------------------------------------------------------------------------------------------
# Fiscal years, loose English, earliest-only, relative and Chinese forms; several targets
# ---------------------------------------------------------------------------------------------

MAR_MAY_2024 = (D(2024, 3, 1), D(2024, 5, 31), Precision.RANGE, "Mar–May 2024")
WINTER_2024 = (D(2024, 12, 1), D(2025, 2, 28), Precision.RANGE, "Dec 2024–Feb 2025")
YEARS_2027_30 = (D(2027, 1, 1), D(2030, 12, 31), Precision.RANGE, "2027–30")
Q2_2024 = (D(2024, 4, 1), D(2024, 6, 30), Precision.QUARTER, "Q2 2024")
H1_2026 = (D(2026, 1, 1), D(2026, 6, 30), Precision.HALF, "H1 2026")
MAR_2026 = (D(2026, 3, 1), D(2026, 3, 31), Precision.MONTH, "Mar 2026")
MAR_2028 = (D(2028, 3, 1), D(2028, 3, 31), Precision.MONTH, "Mar 2028")
FROM_2030 = (D(2030, 1, 1), None, Precision.OPEN, "after 2029")
BEFORE_2027 = (None, D(2026, 12, 31), Precision.RANGE, "before 2027")

LOOSE_ENGLISH = [
    *[(text, *YEARS_2027_30) for text in ("between 2027 and 2030", "2027-2030", "2027–30")],
    ("sometime between 2027 and 2030", *YEARS_2027_30),
    *[(text, *MAR_MAY_2024) for text in ("spring 2024", "Spring of 2024", "Mar–May 2024")],
    ("summer 2024", D(2024, 6, 1), D(2024, 8, 31), Precision.RANGE, "Jun–Aug 2024"),
    ("autumn 2024", D(2024, 9, 1), D(2024, 11, 30), Precision.RANGE, "Sep–Nov 2024"),
    ("fall 2024", D(2024, 9, 1), D(2024, 11, 30), Precision.RANGE, "Sep–Nov 2024"),
    *[(text, *WINTER_2024) for text in ("winter 2024", "winter 2024/25", "winter 2024–25")],
    *[(text, *year(2027)) for text in ("end of 2027", "by the end of 2027", "end-2027")],
    *[(text, *year(2027)) for text in ("year-end 2027", "before the end of 2027")],
    ("end of March 2026", *MAR_2026),
    *[(text, *year(2028)) for text in ("2028 at the latest", "at the latest 2028")],
    *[(text, *year(2028)) for text in ("no later than 2028", "by 2028 at the latest")],
    ("no later than March 2028", *MAR_2028),
    *[(text, *year(2027)) for text in ("around 2027", "circa 2027", "about 2027", "~2027")],
    *[(text, *year(2027)) for text in ("CY2027", "CY 2027", "cy27")],
    *[(text, *Q2_2024) for text in ("2024-Q2", "2024 Q2", "Q2 2024", "2Q24", "2024Q2")],
    *[(text, *H2_2026) for text in ("2026-H2", "H2 2026", "2H 2026", "2026 H2")],
]

EARLIEST_ONLY = [
    *[(text, *FROM_2027) for text in ("as early as 2027", "2027 at the earliest")],
    *[(text, *FROM_2027) for text in ("at the earliest 2027", "as soon as 2027")],
    *[(text, *FROM_2030) for text in ("not before 2030", "2030 or later", "from 2030 onwards")],
    ("no earlier than 2030", *FROM_2030),
    ("as early as Q3 2026", D(2026, 7, 1), None, Precision.OPEN, "after Jun 2026"),
    *[(text, *AFTER_2030) for text in ("after 2030", "2030年以后", "2030年后")],
    *[(text, *FROM_2030) for text in ("2030年及以后", "2030年起")],
    ("最早2027年", *FROM_2027),
]

CHINESE = [
    *[(text, *year(2027)) for text in ("2027年", "2027年底", "2027年末", "2027年年底")],
    *[(text, *year(2027)) for text in ("2027年底前", "2027年内", "2027 年 底", "到2027年")],
    *[(text, *year(2027)) for text in ("2027年前后", "2027年左右", "2027年（小批量）")],
    ("最迟2028年", *year(2028)),
    ("2027年前", *BEFORE_2027),
    ("2026年下半年", *H2_2026),
    ("2026年上半年", *H1_2026),
    *[(text, *Q3_2026) for text in ("2026年第三季度", "2026年三季度", "2026年Q3", "2026年3季度")],
    *[(text, *MAR_2026) for text in ("2026年3月", "2026年3月底", "2026年03月")],
    ("2026年3月15日", D(2026, 3, 15), D(2026, 3, 15), Precision.DAY, "15 Mar 2026"),
    *[(text, *YEARS_2027_28) for text in ("2027-2028年", "2027至2028年", "2027到2028年")],
    ("2027年至2028年", *YEARS_2027_28),
]

# (text, stated_on, earliest, latest, precision, label)
SEP_2025, DEC_31_2025, JAN_2026 = D(2025, 9, 2), D(2025, 12, 31), D(2026, 1, 5)
RELATIVE_FORMS = [
    *[(text, SEP_2025, *year(2026)) for text in ("next year", "end of next year", "明年")],
    *[
        (text, DEC_31_2025, *year(2026))
        for text in ("next year", "明年底", "by the end of next year")
    ],
    *[(text, JAN_2026, *year(2027)) for text in ("next year", "明年")],
    ("first half of next year", SEP_2025, *H1_2026),
    ("明年上半年", SEP_2025, *H1_2026),
    ("second half of next year", SEP_2025, *H2_2026),
    ("明年下半年", SEP_2025, *H2_2026),
    ("early next year", DEC_31_2025, *H1_2026),
    *[(text, SEP_2025, *year(2025)) for text in ("this year", "later this year", "今年")],
    *[(text, SEP_2025, *year(2025)) for text in ("within the year", "年内", "今年底", "今年内")],
    *[(text, DEC_31_2025, *year(2025)) for text in ("later this year", "年内")],
    ("今年下半年", SEP_2025, D(2025, 7, 1), D(2025, 12, 31), Precision.HALF, "H2 2025"),
    ("后年", SEP_2025, *year(2027)),
    (
        "in two years",
        SEP_2025,
        D(2025, 9, 2),
        D(2027, 9, 30),
        Precision.RANGE,
        "2 Sep 2025–30 Sep 2027",
    ),
    (
        "within 18 months",
        DEC_31_2025,
        DEC_31_2025,
        D(2027, 6, 30),
        Precision.RANGE,
        "31 Dec 2025–30 Jun 2027",
    ),
    *[
        (text, SEP_2025, D(2020, 1, 1), D(2029, 12, 31), Precision.RANGE, "2020s")
        for text in ("before the end of the decade", "by the end of the decade", "this decade")
    ],
    (
        "by the end of the decade",
        D(2030, 1, 2),
        D(2030, 1, 1),
        D(2039, 12, 31),
        Precision.RANGE,
        "2030s",
    ),
    *[(text, SEP_2025, *year(2025)) for text in ("by the middle of the decade", "mid-decade")],
    ("by the middle of the decade", D(2031, 3, 1), *year(2035)),
]

SEVERAL_TARGETS = [
    "2027 (small volume); 2030 (mass production)",
    "2025-12 (phase 1); 2026-12 (phase 2)",
    "2027 and 2030",
    "2027 and 2028",
    "2027, 2030",
    "2027 & 2030",
    "by 2027 and 2030",
    "first appearance 2025; 1% penetration in 2030",
    "2027年小批量，2030年量产",
    "2027年、2030年",
]

# (fiscal_year_start, text, earliest, latest, label)
FISCAL_YEARS = [
    (1, "FY2028", D(2028, 1, 1), D(2028, 12, 31), "2028"),
    (4, "FY2028", D(2028, 4, 1), D(2029, 3, 31), "FY2028"),
    (4, "FY 2028", D(2028, 4, 1), D(2029, 3, 31), "FY2028"),
    (4, "fiscal 2028", D(2028, 4, 1), D(2029, 3, 31), "FY2028"),
    (4, "fiscal year 2028", D(2028, 4, 1), D(2029, 3, 31), "FY2028"),
    (4, "FY28", D(2028, 4, 1), D(2029, 3, 31), "FY2028"),
    (4, "by FY2025 (by 2026-03)", D(2025, 4, 1), D(2026, 3, 31), "FY2025"),
    (7, "FY2028", D(2027, 7, 1), D(2028, 6, 30), "FY2028"),
    (10, "FY2028", D(2027, 10, 1), D(2028, 9, 30), "FY2028"),
    (10, "FY28", D(2027, 10, 1), D(2028, 9, 30), "FY2028"),
    (6, "FY2028", D(2028, 6, 1), D(2029, 5, 31), "FY2028"),
    (12, "FY2028", D(2027, 12, 1), D(2028, 11, 30), "FY2028"),
]


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision", "label"), LOOSE_ENGLISH + EARLIEST_ONLY + CHINESE
)
def test_loose_english_earliest_only_and_chinese_forms_parse_to_their_period(
    text, earliest, latest, precision, label
):
    period = parse_period(text)
    assert fields(period) == (earliest, latest, precision)
    assert period.label == label


@pytest.mark.parametrize(
    "text", [row[0] for row in LOOSE_ENGLISH + EARLIEST_ONLY + CHINESE + RELATIVE_FORMS]
)
def test_every_new_form_is_labelled_from_its_fields_and_the_label_reads_back(text):
    period = parse_period(text, stated_on=D(2025, 9, 2))
    assert period.label == format_period(period.earliest, period.latest, period.precision)
    assert fields(parse_period(period.label)) == fields(period)


@pytest.mark.parametrize(("text", "earliest", "latest", "precision", "label"), EARLIEST_ONLY)
def test_an_earliest_only_target_is_open_ended_and_never_a_deadline(
    text, earliest, latest, precision, label
):
    period = parse_period(text)
    assert period.latest is None
    assert not period.is_dated


def test_as_early_as_is_not_read_as_a_deadline():
    assert parse_period("as early as 2027").latest is None
    assert parse_period("by 2027").latest == D(2027, 12, 31)


@pytest.mark.parametrize(
    ("text", "stated_on", "earliest", "latest", "precision", "label"), RELATIVE_FORMS
)
def test_a_relative_form_is_read_against_the_statement_date(
    text, stated_on, earliest, latest, precision, label
):
    period = parse_period(text, stated_on=stated_on)
    assert fields(period) == (earliest, latest, precision)
    assert period.label == label


@pytest.mark.parametrize(
    "text",
    [
        "this year",
        "later this year",
        "within the year",
        "first half of next year",
        "明年",
        "明年下半年",
        "今年底",
        "年内",
        "before the end of the decade",
        "by the middle of the decade",
        "as early as next year",
    ],
)
def test_a_relative_form_without_the_statement_date_is_refused(text):
    with pytest.raises(
        PeriodError, match="a relative target needs the date the statement was made"
    ):
        parse_period(text)


@pytest.mark.parametrize("text", SEVERAL_TARGETS)
def test_a_text_holding_more_than_one_target_is_refused(text):
    with pytest.raises(PeriodError) as caught:
        parse_period(text, stated_on=STATED_ON)
    assert str(caught.value) == (
        f'"{text}" holds more than one target: split it into one milestone per target.'
    )


@pytest.mark.parametrize(
    "text",
    [
        "between 2027 and 2030",
        "2027–28",
        "2027-2030",
        "spring 2024",
        "2027 (small volume)",
        "2027 or 2028",
        "Nov 3, 2025",
        "2027年至2028年",
    ],
)
def test_a_single_target_with_a_range_or_a_note_is_not_taken_for_several(text):
    assert parse_period(text).is_dated


@pytest.mark.parametrize(("start", "text", "earliest", "latest", "label"), FISCAL_YEARS)
def test_a_fiscal_year_follows_the_company_start_month(start, text, earliest, latest, label):
    period = parse_period(text, fiscal_year_start=start)
    assert fields(period) == (earliest, latest, Precision.YEAR)
    assert period.label == label
    assert fields(parse_period(label, fiscal_year_start=start)) == fields(period)


@pytest.mark.parametrize("text", ["FY2028", "FY28", "fiscal 2028", "fiscal year 2028", "by FY2028"])
def test_a_fiscal_year_without_the_company_fiscal_year_is_refused(text):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert str(caught.value) == (
        f'"{text}" is in fiscal years, but the company has no fiscal year set: set its '
        "fiscal-year start month, or give the calendar period."
    )


def test_a_calendar_year_needs_no_fiscal_year_and_ignores_it():
    assert fields(parse_period("CY2027")) == year(2027)[:3]
    assert fields(parse_period("CY2027", fiscal_year_start=4)) == year(2027)[:3]
    assert fields(parse_period("2027", fiscal_year_start=4)) == year(2027)[:3]


def test_a_range_of_fiscal_years_runs_from_the_first_start_to_the_last_end():
    period = parse_period("FY2027 to FY2028", fiscal_year_start=4)
    assert fields(period) == (D(2027, 4, 1), D(2029, 3, 31), Precision.RANGE)


@pytest.mark.parametrize("start", [0, 13, -1])
def test_a_fiscal_year_start_that_is_not_a_month_is_a_programming_error(start):
    with pytest.raises(ValueError, match="must be a month"):
        parse_period("2027", fiscal_year_start=start)


@pytest.mark.parametrize(
    ("month", "label"),
    [
        (1, "2028"),
        (2, "FY2028"),
        (4, "FY2028"),
        (6, "FY2028"),
        (7, "FY2029"),
        (10, "FY2029"),
        (12, "FY2029"),
    ],
)
def test_a_twelve_month_year_is_labelled_as_the_fiscal_year_it_is_named_by(month, label):
    earliest = D(2028, month, 1)
    latest = D(2029, month, 1) - timedelta(days=1)
    assert format_period(earliest, latest, "year") == label


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("between 2030 and 2027", "the range ends before it starts"),
        ("spring 2024/25", "only a winter spans two years"),
        ("winter 2024/27", "only a winter spans two years"),
        ("2027年小批量", ""),
        ("sometime", ""),
    ],
)
def test_an_unreadable_new_form_is_refused_with_the_accepted_forms(text, reason):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert f'Could not read "{text}" as a target period' in str(caught.value)
    assert reason in str(caught.value)
    assert '"between 2027 and 2030"' in str(caught.value)
