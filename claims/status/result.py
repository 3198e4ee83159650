"""What the rules decide for one milestone (MilestoneStatus), told in words: when it was achieved,
how far it slipped, why it has its status; and a company track record."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from claims.dates import datetime_attr, format_span, months_between, span_precision
from claims.status.terms import CANT_TELL, LATE, ON_TIME, VERDICT_LABELS, Status, Target


@dataclass(frozen=True)
class MilestoneStatus:
    status: Status
    as_of: date
    first_target: Target | None = None
    current_target: Target | None = None
    targets: tuple[Target, ...] = ()
    achieved_on: date | None = None
    #: The last day the achievement could have happened (achieved_on is the first).
    achieved_latest: date | None = None
    #: ON_TIME, LATE, CANT_TELL, or None without an achievement against a dated target.
    verdict: str | None = None
    #: Whole months past the first target: the least (and, for LATE, the most) it can be.
    slip_months: int | None = None
    slip_months_max: int | None = None
    #: The latest known claim's stated period.
    last_claim_on: date | None = None
    last_claim_from: date | None = None
    stale: bool = False
    visible_claims: int = 0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def on_time(self) -> bool | None:
        """True when certainly on time, False when certainly late, else None."""
        return {ON_TIME: True, LATE: False}.get(self.verdict)

    @property
    def late(self) -> bool:
        return self.verdict == LATE

    @property
    def cant_tell(self) -> bool:
        return self.verdict == CANT_TELL

    @property
    def achieved_text(self) -> str:
        return achieved_label(self)

    @property
    def achieved_precision(self) -> str | None:
        """day, month, quarter, half or year when the achievement's bounds are one such
        period, else range; None when not achieved."""
        return span_precision(self.achieved_on, self.achieved_latest) if self.achieved_on else None

    @property
    def achieved_datetime(self) -> str:
        return datetime_attr(self.achieved_on, self.achieved_latest or self.achieved_on)

    @property
    def last_claim_text(self) -> str:
        return format_span(self.last_claim_from or self.last_claim_on, self.last_claim_on)

    @property
    def last_claim_datetime(self) -> str:
        return datetime_attr(self.last_claim_from or self.last_claim_on, self.last_claim_on)

    @property
    def slip_text(self) -> str:
        return slip_label(self)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, "")

    @property
    def overdue_months(self) -> int | None:
        return overdue_months(self)

    @property
    def dated(self) -> bool:
        """Whether its first target was dated (a promise a track record can hold it to)."""
        return self.first_target is not None and self.first_target.is_dated

    @property
    def explanation(self) -> str:
        return explain(self)


def overdue_months(result: MilestoneStatus) -> int | None:
    """Whole months the current target has been past due, for an overdue milestone."""
    if result.status != Status.OVERDUE or result.current_target is None:
        return None
    return max(months_between(result.current_target.latest, result.as_of), 0)


def _months_phrase(months: int, most: int | None = None) -> str:
    if most is not None and most != months:
        return f"{months}–{most} months"
    if months < 1:
        return "less than a month"
    return f"{months} month{'s' if months != 1 else ''}"


def achieved_label(result: MilestoneStatus) -> str:
    """When it was achieved, no more precisely than the reports say: "2 Sep 2025", "2023"."""
    return format_span(result.achieved_on, result.achieved_latest or result.achieved_on)


def slip_label(result: MilestoneStatus) -> str:
    """How late an achievement came: "3 months", "2–14 months", "less than a month"."""
    if result.slip_months is None:
        return ""
    return _months_phrase(result.slip_months, result.slip_months_max)


def explain(result: MilestoneStatus) -> str:
    """The status in words: "due Dec 2025; no achievement reported; overdue by 11 months"."""
    current = result.current_target
    first = result.first_target
    due = f"due {current.label}" if current else "no target stated"
    match result.status:
        case Status.ACHIEVED:
            when = f"achieved {achieved_label(result)}"
            if result.verdict is None:
                return f"{when}; no dated target had been promised"
            if result.verdict == ON_TIME:
                return f"{when}, on time against the first target ({first.label})"
            if result.verdict == CANT_TELL:
                return (
                    f"{when}: on time or late against the first target ({first.label}), the "
                    "source is not precise enough to tell"
                )
            return f"{when}, {slip_label(result)} late against the first target ({first.label})"
        case Status.CANCELLED:
            return "cancelled or made moot by a later statement; no newer announcement since"
        case Status.OVERDUE:
            return (
                f"{due}; no achievement reported; overdue by "
                f"{_months_phrase(overdue_months(result))}"
            )
        case Status.DELAYED:
            moved = f"first promised for {first.label}, now {current.label}"
            if result.slip_months is not None:
                moved += f" (a slip of {_months_phrase(result.slip_months)})"
            return f"{moved}; not yet due"
        case Status.ON_TRACK:
            return f"{due}; not yet due and not pushed back"
        case _:
            return "no dated target has been promised"


#: The outcomes a track record counts, each a count of milestones.
TALLIES = ("on_time", "late", "cant_tell", "achieved_undated", "overdue", "cancelled", "pending")


@dataclass(frozen=True)
class TrackRecord:
    on_time: int = 0
    late: int = 0
    #: achieved, but the dates are not precise enough to say whether on time or late
    cant_tell: int = 0
    #: achieved, but no dated target had been promised, so neither on time nor late
    achieved_undated: int = 0
    overdue: int = 0
    cancelled: int = 0
    pending: int = 0
    median_slip_months: float | None = None
    #: Milestones whose first target was dated (the scorecards rank those with enough).
    dated: int = field(default=0, compare=False)
    #: Every slip counted in the median, in months, least first.
    slips: tuple[int, ...] = field(default=(), compare=False)

    @property
    def tallies(self) -> tuple[int, ...]:
        """The count of each outcome, in the order of TALLIES."""
        return tuple(getattr(self, name) for name in TALLIES)

    @property
    def achieved(self) -> int:
        return self.on_time + self.late + self.cant_tell + self.achieved_undated

    @property
    def total(self) -> int:
        return self.achieved + self.overdue + self.cancelled + self.pending

    @property
    def judged(self) -> int:
        """Dated promises whose date has been tested: achieved on time or late, or overdue."""
        return self.on_time + self.late + self.overdue

    @property
    def kept_share(self) -> float | None:
        """The share of judged promises kept on time (None when none can be judged)."""
        return self.on_time / self.judged if self.judged else None

    @property
    def spread(self) -> SlipSpread | None:
        return slip_spread(self.slips)


@dataclass(frozen=True)
class SlipSpread:
    """The spread of slips in months: least, quartiles, median, most."""

    n: int
    least: float
    lower: float
    median: float
    upper: float
    most: float


def slip_spread(slips: Sequence[int]) -> SlipSpread | None:
    """Least, quartiles (inclusive method: within the data), median and most of the slips."""
    if not slips:
        return None
    ordered = sorted(slips)
    if len(ordered) == 1:
        lower = upper = float(ordered[0])
    else:
        lower, _, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return SlipSpread(
        n=len(ordered),
        least=float(ordered[0]),
        lower=lower,
        median=float(statistics.median(ordered)),
        upper=upper,
        most=float(ordered[-1]),
    )


def track_record(results: Iterable[MilestoneStatus]) -> TrackRecord:
    """Counts by outcome and the median slip (months past the first dated target).

    The slip of an achieved milestone is how late it certainly came (0 when on time; the
    least of its range when the dates are imprecise); of an overdue one, how long it is past
    its first target so far; of a delayed one, how far its target moved. Milestones without a
    dated first target, with an open-ended current one, or achieved at a time that cannot be
    told on time or late, have no slip.
    """
    counts = dict.fromkeys(TALLIES, 0)
    slips: list[int] = []
    dated = 0
    for r in results:
        if getattr(r, "visible_claims", 1) == 0:
            continue
        if r.status == Status.ACHIEVED:
            bucket = r.verdict or "achieved_undated"
            counts[bucket] += 1
        elif r.status == Status.OVERDUE:
            counts["overdue"] += 1
        elif r.status == Status.CANCELLED:
            counts["cancelled"] += 1
        else:
            counts["pending"] += 1
        dated += 1 if r.dated else 0
        if r.slip_months is not None and r.status != Status.CANCELLED:
            slips.append(r.slip_months)
    median = statistics.median(slips) if slips else None
    return TrackRecord(**counts, median_slip_months=median, dated=dated, slips=tuple(sorted(slips)))


def revision_direction(previous: Target, revised: Target) -> str:
    """How a restated target moved: "later", "earlier" or "same"."""
    before = previous.latest or date.max
    after = revised.latest or date.max
    if after > before:
        return "later"
    if after < before:
        return "earlier"
    return "same"
