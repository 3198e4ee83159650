"""The status rules of DESIGN.md, rule by rule, with their boundaries. No database."""

from dataclasses import dataclass
from datetime import date
from itertools import count

import pytest

from claims.dates import date_end, parse_partial_date
from claims.periods import parse_period
from claims.status import (
    Status,
    add_months,
    derive_status,
    explain,
    months_between,
    overdue_months,
    revision_direction,
    track_record,
)

_ids = count(1)


@dataclass
class FakeClaim:
    kind: str
    stated_on: date
    stated_on_latest: date
    target_text: str = ""
    target_earliest: date | None = None
    target_latest: date | None = None
    target_precision: str = "none"
    achieved_on: date | None = None
    achieved_on_latest: date | None = None
    standing: str = "company"
    id: int | None = None


def said(
    kind: str,
    stated_on: str,
    target: str | None = None,
    achieved: str | None = None,
    standing: str = "company",
):
    """A claim as an editor types it: dates as precise as the source ("2025-11", "2025")."""
    stated, stated_precision = parse_partial_date(stated_on)
    period = parse_period(target, stated_on=stated, fiscal_year_start=4) if target else None
    achieved_on, achieved_precision = parse_partial_date(achieved) if achieved else (None, "")
    return FakeClaim(
        id=next(_ids),
        kind=kind,
        stated_on=stated,
        stated_on_latest=date_end(stated, stated_precision),
        target_text=target or "",
        target_earliest=period.earliest if period else None,
        target_latest=period.latest if period else None,
        target_precision=str(period.precision) if period else "none",
        achieved_on=achieved_on,
        achieved_on_latest=date_end(achieved_on, achieved_precision) if achieved_on else None,
        standing=standing,
    )


def announce(stated_on, target):
    return said("announcement", stated_on, target)


def revise(stated_on, target):
    return said("revision", stated_on, target)


def achieve(stated_on, achieved):
    return said("achievement", stated_on, achieved=achieved)


D = date.fromisoformat


# Rule 1: achieved -------------------------------------------------------------------------


def test_achieved_on_time_when_achieved_by_end_of_first_target():
    result = derive_status(
        [announce("2024-01-10", "Dec 2025"), achieve("2026-01-05", "2025-12-31")], D("2026-06-01")
    )
    assert result.status == Status.ACHIEVED
    assert result.on_time is True
    assert result.slip_months == 0


def test_achieved_late_counts_whole_months_past_first_target():
    claims = [
        announce("2024-01-10", "Dec 2025"),
        revise("2025-06-01", "Jun 2026"),
        achieve("2026-04-15", "2026-04-15"),
    ]
    result = derive_status(claims, D("2026-06-01"))
    assert result.status == Status.ACHIEVED
    assert result.on_time is False
    assert result.slip_months == 3  # 31 Dec 2025 -> 15 Apr 2026: three whole months


def test_achievement_before_first_target_is_on_time():
    claims = [announce("2024-01-10", "2027"), achieve("2025-03-01", "2025-02-20")]
    result = derive_status(claims, D("2025-03-01"))
    assert (result.status, result.on_time, result.slip_months) == (Status.ACHIEVED, True, 0)


def test_achieved_without_dated_target_has_no_on_time_verdict():
    claims = [announce("2024-01-10", "not stated"), achieve("2025-03-01", "2025-02-20")]
    result = derive_status(claims, D("2025-06-01"))
    assert result.status == Status.ACHIEVED
    assert result.on_time is None
    assert result.slip_months is None


def test_achievement_beats_a_later_cancellation():
    claims = [
        announce("2024-01-10", "2025"),
        achieve("2025-03-01", "2025-02-20"),
        said("cancellation", "2025-09-01"),
    ]
    assert derive_status(claims, D("2025-10-01")).status == Status.ACHIEVED


def test_earliest_achievement_date_counts():
    claims = [
        announce("2024-01-10", "Jun 2025"),
        achieve("2025-08-01", "2025-07-20"),
        achieve("2025-06-10", "2025-06-05"),
    ]
    result = derive_status(claims, D("2025-10-01"))
    assert result.achieved_on == D("2025-06-05")
    assert result.on_time is True


# Rule 2: cancelled ------------------------------------------------------------------------


def test_cancelled_when_latest_cancellation_has_no_newer_announcement():
    claims = [announce("2023-01-01", "2026"), said("cancellation", "2025-07-15")]
    assert derive_status(claims, D("2025-08-01")).status == Status.CANCELLED


def test_cancellation_after_a_delay_is_cancelled():
    claims = [
        announce("2023-01-01", "2025"),
        revise("2024-01-01", "2027"),
        said("cancellation", "2025-07-15"),
    ]
    assert derive_status(claims, D("2025-08-01")).status == Status.CANCELLED


def test_newer_announcement_revives_a_cancelled_milestone():
    claims = [
        announce("2023-01-01", "2026"),
        said("cancellation", "2024-07-15"),
        announce("2025-01-01", "2028"),
    ]
    result = derive_status(claims, D("2025-08-01"))
    assert result.status == Status.DELAYED
    assert result.current_target.label == "2028"


def test_a_reaffirmation_does_not_revive_a_cancelled_milestone():
    claims = [
        announce("2023-01-01", "2026"),
        said("cancellation", "2024-07-15"),
        said("reaffirmation", "2025-01-01", "2026"),
    ]
    assert derive_status(claims, D("2025-08-01")).status == Status.CANCELLED


def test_cancellation_beats_overdue():
    claims = [announce("2020-01-01", "2022"), said("cancellation", "2024-01-01")]
    assert derive_status(claims, D("2025-01-01")).status == Status.CANCELLED


# Rule 3: overdue --------------------------------------------------------------------------


def test_overdue_when_target_passed_without_achievement():
    result = derive_status([announce("2024-01-10", "Dec 2025")], D("2026-11-26"))
    assert result.status == Status.OVERDUE
    assert overdue_months(result) == 10


def test_not_overdue_on_the_last_day_of_the_period():
    result = derive_status([announce("2024-01-10", "Dec 2025")], D("2025-12-31"))
    assert result.status == Status.ON_TRACK


def test_overdue_the_day_after_the_period_ends():
    result = derive_status([announce("2024-01-10", "Dec 2025")], D("2026-01-01"))
    assert result.status == Status.OVERDUE


def test_overdue_beats_delayed_when_the_revised_target_has_passed_too():
    claims = [announce("2022-01-01", "2023"), revise("2023-06-01", "2024")]
    result = derive_status(claims, D("2025-03-01"))
    assert result.status == Status.OVERDUE
    assert result.slip_months == 14  # past the first target's end (31 Dec 2023)


def test_fiscal_year_target_is_due_at_end_of_march():
    claims = [announce("2025-02-27", "FY2025")]
    assert derive_status(claims, D("2026-03-31")).status == Status.ON_TRACK
    assert derive_status(claims, D("2026-04-01")).status == Status.OVERDUE


def test_open_ended_target_is_never_overdue():
    claims = [announce("2020-01-01", "after 2030")]
    result = derive_status(claims, D("2045-01-01"))
    assert result.status == Status.UNDATED


# Rule 4: delayed --------------------------------------------------------------------------


def test_delayed_when_latest_target_ends_later_than_first():
    claims = [announce("2022-01-10", "2025"), revise("2024-06-01", "2027")]
    result = derive_status(claims, D("2025-01-01"))
    assert result.status == Status.DELAYED
    assert result.first_target.label == "2025"
    assert result.current_target.label == "2027"
    assert result.slip_months == 24


def test_revision_to_open_ended_target_is_delayed_not_overdue():
    claims = [announce("2022-01-10", "2025"), revise("2025-09-01", "after 2030")]
    result = derive_status(claims, D("2026-01-01"))
    assert result.status == Status.DELAYED
    assert result.slip_months is None


def test_toyota_chain_first_target_is_the_first_dated_one():
    claims = [
        announce("2019-06-01", "2020"),
        revise("2022-01-10", "2025"),
        revise("2023-06-13", "2027"),
        revise("2023-10-12", "2027–28"),
    ]
    result = derive_status(claims, D("2025-09-05"))
    assert result.status == Status.DELAYED
    assert result.first_target.label == "2020"
    assert result.current_target.label == "2027–28"
    assert [t.label for t in result.targets] == ["2020", "2025", "2027", "2027–28"]


# Rule 5: on track -------------------------------------------------------------------------


def test_on_track_when_dated_target_not_ended():
    result = derive_status([announce("2025-09-02", "Dec 2026")], D("2025-09-05"))
    assert result.status == Status.ON_TRACK


def test_revision_to_an_earlier_date_is_on_track():
    claims = [announce("2024-01-01", "2028"), revise("2025-01-01", "2027")]
    result = derive_status(claims, D("2025-06-01"))
    assert result.status == Status.ON_TRACK
    assert result.current_target.label == "2027"


def test_reaffirmation_of_the_same_target_stays_on_track():
    claims = [announce("2024-01-01", "2027"), said("reaffirmation", "2025-01-01", "2027")]
    assert derive_status(claims, D("2025-06-01")).status == Status.ON_TRACK


# Rule 6: undated --------------------------------------------------------------------------


def test_undated_when_nothing_dated_was_promised():
    claims = [announce("2024-09-01", "not stated"), said("clarification", "2025-09-04")]
    assert derive_status(claims, D("2025-09-05")).status == Status.UNDATED


def test_not_stated_revision_does_not_replace_a_dated_target():
    claims = [announce("2024-01-01", "2027"), revise("2025-01-01", "not stated")]
    result = derive_status(claims, D("2025-06-01"))
    assert result.status == Status.ON_TRACK
    assert result.current_target.label == "2027"


# Clarifications, as_of, stale -------------------------------------------------------------


def test_clarification_never_moves_a_target():
    claims = [announce("2025-09-02", "Dec 2025"), said("clarification", "2025-09-04")]
    result = derive_status(claims, D("2025-09-05"))
    assert result.status == Status.ON_TRACK
    assert result.current_target.label == "Dec 2025"


def test_claims_stated_after_as_of_are_invisible():
    claims = [announce("2024-01-01", "2025"), revise("2025-06-01", "2027")]
    before = derive_status(claims, D("2025-05-31"))
    assert before.status == Status.ON_TRACK
    assert before.current_target.label == "2025"
    assert before.visible_claims == 1


def test_achievement_stated_after_as_of_is_invisible():
    claims = [announce("2024-01-01", "Dec 2025"), achieve("2026-02-01", "2025-12-20")]
    assert derive_status(claims, D("2026-01-15")).status == Status.OVERDUE
    assert derive_status(claims, D("2026-02-01")).status == Status.ACHIEVED


def test_claim_stated_on_as_of_is_visible():
    claims = [announce("2024-01-01", "2025"), revise("2025-06-01", "2027")]
    assert derive_status(claims, D("2025-06-01")).status == Status.DELAYED


def test_no_visible_claims_is_undated_and_not_stale():
    result = derive_status([announce("2025-01-01", "2027")], D("2024-01-01"))
    assert (result.status, result.visible_claims, result.stale) == (Status.UNDATED, 0, False)


def test_stale_when_no_claim_for_24_months():
    claims = [announce("2022-01-10", "2030")]
    assert derive_status(claims, D("2024-01-10")).stale is False
    assert derive_status(claims, D("2024-01-11")).stale is True


def test_achieved_milestone_is_never_stale():
    claims = [announce("2018-01-01", "2019"), achieve("2019-01-01", "2018-12-01")]
    assert derive_status(claims, D("2025-01-01")).stale is False


def test_same_day_claims_keep_entry_order():
    first = announce("2025-01-01", "2026")
    second = revise("2025-01-01", "2028")
    result = derive_status([second, first], D("2025-06-01"))
    assert result.current_target.label == "2028"


# Explanations, helpers, track record ------------------------------------------------------


def test_overdue_explanation_reads_as_a_sentence():
    result = derive_status([announce("2024-01-10", "Dec 2025")], D("2026-11-30"))
    assert explain(result) == "due Dec 2025; no achievement reported; overdue by 11 months"


def test_late_explanation_names_the_first_target():
    claims = [announce("2024-01-10", "Dec 2025"), achieve("2026-04-15", "2026-04-15")]
    text = derive_status(claims, D("2026-06-01")).explanation
    assert text == "achieved 15 Apr 2026, 3 months late against the first target (Dec 2025)"


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2025-12-31", "2026-01-30", 0),
        ("2025-12-31", "2026-01-31", 1),
        ("2025-12-31", "2026-02-28", 2),
        ("2025-06-15", "2025-06-14", 0),
        ("2025-06-15", "2025-05-15", -1),
        ("2023-12-31", "2025-03-01", 14),
    ],
)
def test_months_between_counts_whole_months(start, end, months):
    assert months_between(D(start), D(end)) == months


def test_add_months_clamps_to_month_end():
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert add_months(D("2022-01-10"), 24) == D("2024-01-10")


def test_revision_direction():
    early, late = announce("2024-01-01", "2025"), revise("2024-06-01", "2027")
    first, second = derive_status([early, late], D("2024-07-01")).targets
    assert revision_direction(first, second) == "later"
    assert revision_direction(second, first) == "earlier"
    assert revision_direction(first, first) == "same"


def test_track_record_counts_outcomes_and_median_slip():
    as_of = D("2026-06-01")
    results = [
        derive_status([announce("2024-01-01", "2025"), achieve("2025-06-01", "2025-05-01")], as_of),
        derive_status([announce("2024-01-01", "2025"), achieve("2026-04-01", "2026-03-05")], as_of),
        derive_status([announce("2024-01-01", "2025")], as_of),
        derive_status([announce("2024-01-01", "2025"), said("cancellation", "2025-01-01")], as_of),
        derive_status([announce("2024-01-01", "2027")], as_of),
        derive_status([announce("2027-01-01", "2028")], as_of),  # not yet stated: ignored
        derive_status([achieve("2025-01-01", "2024-12-01")], as_of),  # achieved, no target
    ]
    record = track_record(results)
    assert (record.on_time, record.late, record.overdue, record.cancelled, record.pending) == (
        1,
        1,
        1,
        1,
        1,
    )
    # slips: on time 0, late 2 (31 Dec 2025 -> 5 Mar 2026), overdue 5, on track 0
    assert record.median_slip_months == 1.0
    assert record.achieved_undated == 1
    assert record.total == 6


# Imprecise dates: verdicts on both bounds -------------------------------------------------


def test_achieved_in_a_year_is_cant_tell_against_a_target_inside_that_year():
    """A plant reported opened in "2023" against a Q1 2023 target: not "on time"."""
    claims = [announce("2021-05-01", "Q1 2023"), achieve("2024-02-01", "2023")]
    result = derive_status(claims, D("2024-06-01"))
    assert result.status == Status.ACHIEVED
    assert result.verdict == "cant_tell" and result.on_time is None
    assert result.slip_months is None
    assert "not precise enough" in result.explanation


def test_achieved_in_a_year_before_the_target_ends_is_on_time():
    claims = [announce("2021-05-01", "2024"), achieve("2024-02-01", "2023")]
    assert derive_status(claims, D("2024-06-01")).verdict == "on_time"


def test_late_by_a_range_of_months_when_the_achievement_is_known_to_its_year():
    """A construction start reported as "2025" against a target of Oct 2024: 2–14 months."""
    claims = [announce("2024-03-01", "Oct 2024"), achieve("2026-01-15", "2025")]
    result = derive_status(claims, D("2026-06-01"))
    assert result.verdict == "late"
    assert (result.slip_months, result.slip_months_max) == (2, 14)
    assert "2–14 months late" in result.explanation
    assert result.achieved_text == "2025"


def test_late_by_a_single_figure_when_the_achievement_is_known_to_the_day():
    claims = [announce("2024-03-01", "Oct 2024"), achieve("2025-03-10", "2025-03-05")]
    result = derive_status(claims, D("2025-06-01"))
    assert (result.verdict, result.slip_months, result.slip_months_max) == ("late", 4, 4)
    assert "4 months late" in result.explanation


def test_the_first_achievement_bounds_come_from_every_report():
    claims = [
        announce("2022-01-01", "2024"),
        achieve("2025-06-01", "2025"),
        achieve("2025-07-01", "2025-02"),
    ]
    result = derive_status(claims, D("2025-08-01"))
    assert (result.achieved_on, result.achieved_latest) == (D("2025-01-01"), D("2025-02-28"))
    # 31 Dec 2024 to 28 Feb 2025 is two whole months (the month-end rule of months_between).
    assert (result.verdict, result.slip_months, result.slip_months_max) == ("late", 0, 2)


def test_cant_tell_is_counted_apart_in_a_track_record():
    results = [
        derive_status(
            [announce("2021-05-01", "Q1 2023"), achieve("2024-02-01", "2023")], D("2025-01-01")
        ),
        derive_status(
            [announce("2021-05-01", "2024"), achieve("2024-02-01", "2023")], D("2025-01-01")
        ),
        derive_status(
            [announce("2024-03-01", "Oct 2024"), achieve("2026-01-15", "2025")], D("2026-06-01")
        ),
    ]
    record = track_record(results)
    assert (record.on_time, record.late, record.cant_tell) == (1, 1, 1)
    assert record.achieved == 3
    # The late one slipped at least 2 months; the can't-tell one has no slip.
    assert record.median_slip_months == 1


# Imprecise dates: what was known on a day --------------------------------------------------


def test_a_claim_stated_in_a_year_counts_only_from_the_end_of_that_year():
    claims = [announce("2023-03-01", "Dec 2026"), revise("2025", "2028")]
    assert derive_status(claims, D("2025-12-30")).current_target.label == "Dec 2026"
    assert derive_status(claims, D("2025-12-30")).status == Status.ON_TRACK
    assert derive_status(claims, D("2025-12-31")).current_target.label == "2028"
    assert derive_status(claims, D("2025-12-31")).status == Status.DELAYED


def test_a_claim_stated_in_a_month_counts_from_its_last_day():
    claims = [announce("2024-11", "2025")]
    assert derive_status(claims, D("2024-11-29")).visible_claims == 0
    assert derive_status(claims, D("2024-11-30")).visible_claims == 1


def test_stale_and_last_claim_follow_the_end_of_the_stated_period():
    claims = [announce("2023", "2030")]
    # Said somewhere in 2023: 24 months of silence are certain only from 31 Dec 2025 on.
    assert not derive_status(claims, D("2025-12-30")).stale
    assert derive_status(claims, D("2026-01-01")).stale
    assert derive_status(claims, D("2026-01-01")).last_claim_text == "2023"


# Who said it --------------------------------------------------------------------------------


def test_a_third_partys_view_never_moves_the_target():
    """A remark that "Japan's mass production" slipped to 2030 is not a revision."""
    claims = [
        announce("2023-06-13", "2027–28"),
        said("view", "2024-05-01", "2030", standing="third_party"),
    ]
    result = derive_status(claims, D("2025-01-01"))
    assert result.current_target.label == "2027–28"
    assert result.status == Status.ON_TRACK
    assert result.slip_months == 0
    assert [t.label for t in result.targets] == ["2027–28"]


def test_targets_from_outside_the_milestones_parties_are_ignored():
    """Even if stored as an announcement, a third party or a government cannot set a target."""
    for standing in ("third_party", "government"):
        claims = [
            announce("2023-01-01", "2025"),
            said("revision", "2024-01-01", "2030", standing=standing),
            said("cancellation", "2024-02-01", standing=standing),
        ]
        result = derive_status(claims, D("2026-01-01"))
        assert result.status == Status.OVERDUE
        assert result.current_target.label == "2025"


def test_a_partner_named_on_the_milestone_revises_its_target():
    claims = [
        announce("2023-01-01", "2025"),
        said("revision", "2024-01-01", "2027", standing="partner"),
    ]
    assert derive_status(claims, D("2026-01-01")).status == Status.DELAYED


def test_anyone_may_report_an_achievement():
    claims = [
        announce("2023-01-01", "2025"),
        said("achievement", "2025-09-05", achieved="2025-09-05", standing="third_party"),
    ]
    result = derive_status(claims, D("2026-01-01"))
    assert result.status == Status.ACHIEVED and result.verdict == "on_time"


def test_a_views_silence_breaker_still_counts_as_news():
    claims = [announce("2020-01-01", "2030"), said("view", "2024-06-01", standing="third_party")]
    assert not derive_status(claims, D("2025-01-01")).stale
