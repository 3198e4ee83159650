"""Partial dates: reading a date as precisely as the source gives it, and showing it so."""

from datetime import date, datetime

import pytest

from claims.dates import (
    DATE_PRECISIONS,
    PartialDateError,
    date_end,
    format_partial_date,
    format_span,
    parse_partial_date,
    partial_date_text,
    span_precision,
)

D = date
NOV_3 = (D(2025, 11, 3), "day")
NOV = (D(2025, 11, 1), "month")
Q4 = (D(2025, 10, 1), "quarter")
H2 = (D(2025, 7, 1), "half")
YEAR = (D(2025, 1, 1), "year")

ACCEPTED = [
    *[(text, NOV_3) for text in ("2025-11-03", "2025/11/03", "3 Nov 2025", "3 November 2025")],
    *[(text, NOV_3) for text in ("Nov 3, 2025", "November 3 2025", "3rd Nov 2025", "2025-11-3")],
    *[(text, NOV) for text in ("2025-11", "2025/11", "Nov 2025", "November 2025", "Nov. 2025")],
    *[(text, Q4) for text in ("Q4 2025", "2025-Q4", "2025 Q4", "4Q 2025", "q4 2025")],
    *[(text, H2) for text in ("H2 2025", "2025-H2", "2H 2025", "2025 H2")],
    ("H1 2025", (D(2025, 1, 1), "half")),
    ("Q1 2025", (D(2025, 1, 1), "quarter")),
    *[(text, YEAR) for text in ("2025", "2025年", "  2025 ")],
    *[(text, NOV_3) for text in ("2025年11月3日", "2025 年 11 月 3 日")],
    ("2025年11月", NOV),
    *[(text, Q4) for text in ("2025年第四季度", "2025年四季度", "2025年Q4", "2025年第4季度")],
    ("2025年上半年", (D(2025, 1, 1), "half")),
    ("2025年下半年", H2),
    ("2025–Q4", Q4),
    ("2025—11", NOV),
    ("29 Feb 2028", (D(2028, 2, 29), "day")),
]

REFUSED = [
    ("", ""),
    ("   ", ""),
    ("2025-02-30", "Feb 2025 has no day 30"),
    ("29 Feb 2027", "Feb 2027 has no day 29"),
    ("2025-13", "there is no month 13"),
    ("1899", "the year 1899 is outside 1900–2100"),
    ("2101-05", "the year 2101 is outside 1900–2100"),
    ("2025–2026", ""),
    ("Nov–Dec 2025", ""),
    ("soon", ""),
    ("Q5 2025", ""),
    ("H3 2025", ""),
    ("2025年13月", "there is no month 13"),
    ("25", ""),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_a_date_is_read_at_the_precision_the_source_gives(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_anything_but_one_date_is_refused_with_the_accepted_forms(text, reason):
    with pytest.raises(PartialDateError) as caught:
        parse_partial_date(text)
    message = str(caught.value)
    assert message.startswith(f'Could not read "{text.strip()}" as a date')
    assert reason in message
    assert message.endswith(
        'Write it as precisely as the source gives it: "2025-11-03", "2025-11", "Nov 2025", '
        '"2025-Q4", "2025-H2", "2025" or "2025年11月".'
    )


def test_the_refusal_is_a_plain_sentence():
    with pytest.raises(PartialDateError) as caught:
        parse_partial_date("soon")
    assert str(caught.value) == (
        'Could not read "soon" as a date. Write it as precisely as the source gives it: '
        '"2025-11-03", "2025-11", "Nov 2025", "2025-Q4", "2025-H2", "2025" or "2025年11月".'
    )


def test_a_partial_date_error_is_a_value_error():
    assert issubclass(PartialDateError, ValueError)


def test_a_date_object_is_a_day():
    assert parse_partial_date(D(2025, 11, 3)) == NOV_3
    assert parse_partial_date(datetime(2025, 11, 3, 14, 30)) == NOV_3


@pytest.mark.parametrize(
    ("earliest", "precision", "end"),
    [
        (D(2025, 11, 3), "day", D(2025, 11, 3)),
        (D(2025, 11, 1), "month", D(2025, 11, 30)),
        (D(2028, 2, 1), "month", D(2028, 2, 29)),
        (D(2025, 10, 1), "quarter", D(2025, 12, 31)),
        (D(2025, 1, 1), "half", D(2025, 6, 30)),
        (D(2025, 7, 1), "half", D(2025, 12, 31)),
        (D(2025, 1, 1), "year", D(2025, 12, 31)),
    ],
)
def test_date_end_is_the_last_day_of_the_period(earliest, precision, end):
    assert date_end(earliest, precision) == end


@pytest.mark.parametrize(
    ("value", "display", "text"),
    [
        (NOV_3, "3 Nov 2025", "2025-11-03"),
        (NOV, "Nov 2025", "2025-11"),
        (Q4, "Q4 2025", "2025-Q4"),
        (H2, "H2 2025", "2025-H2"),
        ((D(2025, 1, 1), "half"), "H1 2025", "2025-H1"),
        (YEAR, "2025", "2025"),
    ],
)
def test_a_date_is_shown_at_its_precision_and_its_text_reads_back(value, display, text):
    assert format_partial_date(*value) == display
    assert partial_date_text(*value) == text
    assert parse_partial_date(text) == value
    assert parse_partial_date(display) == value


@pytest.mark.parametrize("precision", DATE_PRECISIONS)
def test_no_date_is_shown_as_nothing(precision):
    assert format_partial_date(None, precision) == ""
    assert partial_date_text(None, precision) == ""


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_every_accepted_date_starts_its_period_and_spans_exactly_it(text, expected):
    earliest, precision = parse_partial_date(text)
    assert precision in DATE_PRECISIONS
    assert span_precision(earliest, date_end(earliest, precision)) == precision
    assert format_span(earliest, date_end(earliest, precision)) == format_partial_date(
        earliest, precision
    )


@pytest.mark.parametrize(
    ("earliest", "latest", "precision", "label"),
    [
        (D(2025, 11, 3), D(2025, 11, 3), "day", "3 Nov 2025"),
        (D(2025, 11, 1), D(2025, 11, 30), "month", "Nov 2025"),
        (D(2025, 10, 1), D(2025, 12, 31), "quarter", "Q4 2025"),
        (D(2025, 7, 1), D(2025, 12, 31), "half", "H2 2025"),
        (D(2025, 1, 1), D(2025, 12, 31), "year", "2025"),
        (D(2025, 3, 1), D(2025, 6, 30), "range", "Mar–Jun 2025"),
        (D(2025, 2, 1), D(2025, 4, 30), "range", "Feb–Apr 2025"),
        (D(2024, 11, 1), D(2025, 2, 28), "range", "Nov 2024–Feb 2025"),
        (D(2024, 1, 1), D(2025, 12, 31), "range", "2024–25"),
        (D(1999, 1, 1), D(2001, 12, 31), "range", "1999–2001"),
        (D(2025, 3, 3), D(2025, 6, 9), "range", "3 Mar–9 Jun 2025"),
        (D(2025, 6, 3), D(2025, 6, 9), "range", "3–9 Jun 2025"),
        (D(2024, 12, 3), D(2025, 1, 9), "range", "3 Dec 2024–9 Jan 2025"),
        (D(2025, 1, 1), D(2025, 12, 30), "range", "1 Jan–30 Dec 2025"),
    ],
)
def test_a_span_is_labelled_from_its_bounds(earliest, latest, precision, label):
    assert span_precision(earliest, latest) == precision
    assert format_span(earliest, latest) == label


def test_a_span_missing_a_bound_says_which_end_is_known():
    assert format_span(None, None) == ""
    assert format_span(D(2025, 3, 3), None) == "from 3 Mar 2025"
    assert format_span(None, D(2025, 6, 9)) == "by 9 Jun 2025"
    assert span_precision(None, D(2025, 6, 9)) == "range"
