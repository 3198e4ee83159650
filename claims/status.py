"""The status rules: the one place that decides what a milestone's claims add up to.

Pure functions of (claims, as_of): no ORM, no request. A claim is anything with the
attributes of `ClaimLike` (a `claims.models.Claim` is one). Dates from sources are partial: a
claim's stated and achieved dates are periods (earliest, latest). A claim is known as of a day
once its stated period has ended (one said in "2025" counts from 31 Dec 2025). Targets come from
the milestone's own parties only (the company and the partners named on it); an achievement
may be reported by anyone; views never count. The rules, from DESIGN.md, using only known
claims; the first rule that matches decides:

1. achieved  - an achievement claim exists; against the first dated target: on time when
               certainly on time (achieved latest <= target latest), late when certainly late
               (achieved earliest > target latest; slip as a range of whole months), otherwise
               can't tell (the source is not precise enough).
2. cancelled - the latest cancellation is not followed by a newer announcement.
3. overdue   - the current (latest stated) target is dated and ended before as_of.
4. delayed   - the current target ends later than the first dated target.
5. on_track  - a dated target that has not ended (including a revision to an earlier date).
6. undated   - nothing dated has been promised.

Clarifications, denials and views never move a target. A milestone that is not achieved and
has no claim in the 24 months before as_of is flagged stale.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from claims.dates import datetime_attr, format_span, span_precision
from claims.periods import format_period

STALE_AFTER_MONTHS = 24

ANNOUNCEMENT = "announcement"
REAFFIRMATION = "reaffirmation"
REVISION = "revision"
ACHIEVEMENT = "achievement"
CLARIFICATION = "clarification"
CANCELLATION = "cancellation"
VIEW = "view"
TARGET_KINDS = frozenset({ANNOUNCEMENT, REAFFIRMATION, REVISION})
#: Standings of the milestone's own parties: the company itself and partners named on it.
PARTY_STANDINGS = frozenset({"company", "partner"})

ON_TIME = "on_time"
LATE = "late"
CANT_TELL = "cant_tell"
VERDICT_LABELS = {
    ON_TIME: "On time",
    LATE: "Late",
    CANT_TELL: "On time or late: the source is not precise enough",
}


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"
    DELAYED = "delayed"
    ON_TRACK = "on_track"
    UNDATED = "undated"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ACHIEVED: "Achieved",
    Status.CANCELLED: "Cancelled",
    Status.OVERDUE: "Overdue",
    Status.DELAYED: "Delayed",
    Status.ON_TRACK: "On track",
    Status.UNDATED: "Undated",
}
STATUS_CHOICES = [(s.value, s.label) for s in Status]


class ClaimLike(Protocol):
    id: int | None
    kind: str
    standing: str
    stated_on: date
    stated_on_latest: date
    target_text: str
    target_earliest: date | None
    target_latest: date | None
    target_precision: str
    achieved_on: date | None
    achieved_on_latest: date | None


@dataclass(frozen=True)
class Target:
    """A target as one claim stated it."""

    stated_on: date | None
    text: str
    earliest: date | None
    latest: date | None
    precision: str
    claim_id: int | None = None
    #: The last day of the period the target was stated in (stated_on is the first).
    stated_latest: date | None = None

    @property
    def is_dated(self) -> bool:
        return self.latest is not None

    @property
    def label(self) -> str:
        return format_period(self.earliest, self.latest, self.precision)

    @property
    def stated_text(self) -> str:
        """When it was stated, as precisely as the source says."""
        return format_span(self.stated_on, self.stated_latest or self.stated_on)

    @property
    def stated_datetime(self) -> str:
        return datetime_attr(self.stated_on, self.stated_latest or self.stated_on)


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


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end; negative when end is earlier.

    A month counts once end reaches the same day of a later month, or that month's last day
    (31 Dec to 28 Feb is two whole months).
    """
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day and end.day != _days_in_month(end.year, end.month):
        months -= 1
    return months


def add_months(d: date, months: int, *, day: int | None = None) -> date:
    """d moved by whole months, the day clamped to the month's length."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _days_in_month(year, month)
    return date(year, month, min(day or d.day, last))


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def known_on(claim: ClaimLike) -> date:
    """The day a claim counts as known: the end of its stated period."""
    return claim.stated_on_latest or claim.stated_on


def visible(claims: Iterable[ClaimLike], as_of: date) -> list[ClaimLike]:
    """Claims known by as_of (their stated period ended on or before it), in the order they
    became known (ties by the period's start, then in entry order)."""
    seen = [c for c in claims if known_on(c) <= as_of]
    return sorted(seen, key=lambda c: (known_on(c), c.stated_on, c.id or 0))


def counts(claim: ClaimLike) -> bool:
    """Whether a claim can move status, slip or track record: its own parties' statements,
    and achievement reports by anyone (graded by their evidence). Views never count."""
    return claim.kind == ACHIEVEMENT or (claim.kind != VIEW and claim.standing in PARTY_STANDINGS)


def _target(claim: ClaimLike) -> Target:
    return Target(
        stated_on=claim.stated_on,
        text=claim.target_text,
        earliest=claim.target_earliest,
        latest=claim.target_latest,
        precision=claim.target_precision,
        claim_id=claim.id,
        stated_latest=claim.stated_on_latest,
    )


def targets_of(claims: Sequence[ClaimLike]) -> list[Target]:
    """Every target the milestone's own parties stated, in order; "not stated" ones do not
    count as a target."""
    return [
        _target(c)
        for c in claims
        if c.kind in TARGET_KINDS and c.target_precision != "none" and counts(c)
    ]


def derive_status(claims: Iterable[ClaimLike], as_of: date) -> MilestoneStatus:
    """Apply the status rules to the claims stated on or before as_of."""
    seen = visible(claims, as_of)
    counted = [c for c in seen if counts(c)]
    targets = targets_of(counted)
    dated = [t for t in targets if t.is_dated]
    first = dated[0] if dated else None
    current = targets[-1] if targets else None
    last_claim_on = known_on(seen[-1]) if seen else None
    common = {
        "as_of": as_of,
        "first_target": first,
        "current_target": current,
        "targets": tuple(targets),
        "last_claim_on": last_claim_on,
        "last_claim_from": seen[-1].stated_on if seen else None,
        "visible_claims": len(seen),
    }

    achievements = [c for c in counted if c.kind == ACHIEVEMENT and c.achieved_on is not None]
    # The first achievement happened no earlier than the earliest first day and no later than
    # the earliest last day of the reported periods.
    achieved_on = min((c.achieved_on for c in achievements), default=None)
    achieved_latest = min(
        (c.achieved_on_latest or c.achieved_on for c in achievements), default=None
    )
    last_cancel = _last_index(counted, CANCELLATION)
    last_announce = _last_index(counted, ANNOUNCEMENT)

    status = classify(
        achieved_on=achieved_on,
        cancelled=last_cancel is not None
        and (last_announce is None or last_announce < last_cancel),
        first_latest=first.latest if first else None,
        current_latest=current.latest if current else None,
        as_of=as_of,
    )

    verdict, slip, slip_max = timing(
        status,
        first_latest=first.latest if first else None,
        current_latest=current.latest if current else None,
        achieved_on=achieved_on,
        achieved_latest=achieved_latest,
        as_of=as_of,
    )
    return MilestoneStatus(
        status,
        achieved_on=achieved_on,
        achieved_latest=achieved_latest,
        verdict=verdict,
        slip_months=slip,
        slip_months_max=slip_max,
        stale=is_stale(status, last_claim_on, as_of),
        **common,
    )


def classify(
    *,
    achieved_on: date | None,
    cancelled: bool,
    first_latest: date | None,
    current_latest: date | None,
    as_of: date,
) -> Status:
    """The rules, in order, on what a milestone's claims add up to: the earliest date an
    achievement happened, whether the latest cancellation stands, and the ends of the first
    dated target and of the current target (None when open-ended or never stated).

    (A first dated target implies a current target, so with a first target a current end of
    None means an open-ended current target.)
    """
    if achieved_on is not None:
        return Status.ACHIEVED
    if cancelled:
        return Status.CANCELLED
    if current_latest is not None and current_latest < as_of:
        return Status.OVERDUE
    if first_latest is not None and (current_latest is None or current_latest > first_latest):
        return Status.DELAYED
    if first_latest is not None:
        return Status.ON_TRACK
    return Status.UNDATED


def is_stale(status: Status, last_claim_on: date | None, as_of: date) -> bool:
    """Not achieved, and no claim in the STALE_AFTER_MONTHS before as_of."""
    stale_before = add_months(as_of, -STALE_AFTER_MONTHS)
    return status != Status.ACHIEVED and last_claim_on is not None and last_claim_on < stale_before


#: The facts (and the status decided on them) that a database row carries: see
#: MilestoneQuerySet.with_status.
ROW_FACTS = (
    "status",
    "stale",
    "first_target",
    "current_target",
    "first_target_latest",
    "current_target_latest",
    "achieved_on",
    "achieved_latest",
    "last_claim_on",
    "last_claim_from",
)


def status_from_annotations(row, as_of: date) -> MilestoneStatus:
    """A MilestoneStatus from a milestone annotated by MilestoneQuerySet.with_status(as_of).

    Lists use it to show a row's status, targets and slip without reading its claims.
    """
    return status_from_facts({name: getattr(row, name) for name in ROW_FACTS}, as_of)


def status_from_facts(facts, as_of: date) -> MilestoneStatus:
    """A MilestoneStatus from a mapping of ROW_FACTS (a row of with_status(as_of).values()):
    the status and staleness as the database decided them, the verdict and slip by timing()."""
    status = Status(facts["status"])
    first_latest, current_latest = facts["first_target_latest"], facts["current_target_latest"]
    achieved_on, achieved_latest = facts["achieved_on"], facts["achieved_latest"]
    verdict, slip, slip_max = timing(
        status,
        first_latest=first_latest,
        current_latest=current_latest,
        achieved_on=achieved_on,
        achieved_latest=achieved_latest,
        as_of=as_of,
    )
    return MilestoneStatus(
        status,
        as_of=as_of,
        first_target=target_from_json(facts["first_target"]),
        current_target=target_from_json(facts["current_target"]),
        achieved_on=achieved_on,
        achieved_latest=achieved_latest,
        verdict=verdict,
        slip_months=slip,
        slip_months_max=slip_max,
        last_claim_on=facts["last_claim_on"],
        last_claim_from=facts["last_claim_from"],
        stale=facts["stale"],
        visible_claims=1 if facts["last_claim_on"] else 0,
    )


def target_from_json(value: dict | None) -> Target | None:
    """A Target from the JSON object of MilestoneQuerySet.with_status (dates as ISO text)."""
    if value is None:
        return None

    def day(text):
        return date.fromisoformat(text) if isinstance(text, str) else text

    return Target(
        None, value["text"] or "", day(value["earliest"]), day(value["latest"]), value["precision"]
    )


def timing(
    status: Status,
    *,
    first_latest: date | None,
    current_latest: date | None,
    achieved_on: date | None,
    achieved_latest: date | None = None,
    as_of: date,
) -> tuple[str | None, int | None, int | None]:
    """(verdict, least slip, most slip) in whole months past the first dated target.

    Achieved: ON_TIME when certainly achieved by the end of the first dated target (its last
    possible day is not after it), LATE when certainly after it (its first possible day is),
    with the slip from the first to the last possible day; otherwise CANT_TELL, no slip.
    Overdue: months past the first target so far. Delayed: how far the current target moved
    past the first (unknown when it is open-ended). On track: no slip. Without a dated first
    target there is no verdict.
    """
    if first_latest is None:
        return None, None, None
    if status == Status.ACHIEVED:
        latest = achieved_latest or achieved_on
        if latest <= first_latest:
            return ON_TIME, 0, 0
        if achieved_on > first_latest:
            least = max(months_between(first_latest, achieved_on), 0)
            return LATE, least, max(months_between(first_latest, latest), least)
        return CANT_TELL, None, None
    if status == Status.OVERDUE:
        months = max(months_between(first_latest, as_of), 0)
        return None, months, months
    if status == Status.DELAYED:
        if current_latest is None:
            return None, None, None
        months = months_between(first_latest, current_latest)
        return None, months, months
    if status == Status.ON_TRACK:
        return None, 0, 0
    return None, None, None


@dataclass(frozen=True)
class Outcome:
    """A milestone's status and timing, as read from a database row (see with_status)."""

    status: Status
    verdict: str | None
    slip_months: int | None
    visible_claims: int = 1
    #: Whether its first target was dated.
    dated: bool = False


def outcome_from_row(row: dict, as_of: date) -> Outcome:
    """An Outcome from a row of Milestone.objects.with_status(as_of).values(...)."""
    status = Status(row["status"])
    verdict, slip, _ = timing(
        status,
        first_latest=row["first_target_latest"],
        current_latest=row["current_target_latest"],
        achieved_on=row["achieved_on"],
        achieved_latest=row["achieved_latest"],
        as_of=as_of,
    )
    return Outcome(status, verdict, slip, dated=row["first_target_latest"] is not None)


def _last_index(claims: Sequence[ClaimLike], kind: str) -> int | None:
    for index in range(len(claims) - 1, -1, -1):
        if claims[index].kind == kind:
            return index
    return None


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
    counts = dict.fromkeys(
        ("on_time", "late", "cant_tell", "achieved_undated", "overdue", "cancelled", "pending"), 0
    )
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
