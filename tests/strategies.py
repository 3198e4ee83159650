"""Hypothesis strategies: claim histories as real sources give them (imprecise dates, any
speaker), for the property tests of the status rules and the stored facts."""

from datetime import date, timedelta

from hypothesis import strategies as st

from claims.dates import DATE_PRECISIONS, parse_partial_date, partial_date_text
from claims.models import Claim

TARGETS = [
    "Dec 2025",
    "H2 2026",
    "2027",
    "2027–28",
    "FY2028",
    "mid-2020s",
    "2030s",
    "after 2030",
    "not stated",
    "Q1 2024",
    "2023",
    "2 Sep 2025",
    "between 2027 and 2030",
    "2026年下半年",
    "as early as 2027",
    "next year",
]
KINDS = [k for k, _ in Claim.Kind.choices]
START = date(2021, 1, 1)
OTHERS = [Claim.Standing.GOVERNMENT, Claim.Standing.THIRD_PARTY]
PARTIES = [Claim.Standing.COMPANY, Claim.Standing.PARTNER]


def partial_date(draw, first: date, days: int) -> tuple[date, str]:
    """A day in [first, first + days], known only to a drawn precision: (first day, precision)."""
    day = first + timedelta(days=draw(st.integers(0, days)))
    precision = draw(st.sampled_from(DATE_PRECISIONS))
    return parse_partial_date(partial_date_text(day, precision))


def claim_fields(draw, days: int = 2000) -> dict:
    """One claim's fields: kind, an imprecise stated date, a standing allowed for the kind, a
    target for target kinds (and sometimes a view), an imprecise achievement date."""
    kind = draw(st.sampled_from(KINDS))
    stated, stated_precision = partial_date(draw, START, days)
    if kind == Claim.Kind.VIEW:
        standing = draw(st.sampled_from(OTHERS))
    elif kind == Claim.Kind.ACHIEVEMENT:
        standing = draw(st.sampled_from(PARTIES + OTHERS))
    else:
        standing = draw(st.sampled_from(PARTIES))
    row = {
        "kind": kind,
        "stated_on": stated,
        "stated_on_precision": stated_precision,
        "standing": standing,
        "target_text": "",
        "achieved_on": None,
        "achieved_on_precision": "day",
        "evidence": None,
    }
    if kind in Claim.TARGET_KINDS or kind == Claim.Kind.VIEW and draw(st.booleans()):
        row["target_text"] = draw(st.sampled_from(TARGETS))
    if kind == Claim.Kind.ACHIEVEMENT:
        achieved, precision = partial_date(draw, stated - timedelta(days=400), 400)
        row["achieved_on"], row["achieved_on_precision"] = achieved, precision
        row["evidence"] = draw(st.sampled_from([1, 2] if standing in PARTIES else [1, 2, 4]))
    return row


@st.composite
def claim_histories(draw):
    return [claim_fields(draw) for _ in range(draw(st.integers(min_value=0, max_value=6)))]
