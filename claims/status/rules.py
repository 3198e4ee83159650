"""The status rules themselves (see claims.status): which claims are known and count, the targets
they state, the status and its timing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from claims.dates import add_months, months_between
from claims.status.result import MilestoneStatus
from claims.status.terms import (
    ACHIEVEMENT,
    ANNOUNCEMENT,
    CANCELLATION,
    CANT_TELL,
    LATE,
    ON_TIME,
    PARTY_STANDINGS,
    STALE_AFTER_MONTHS,
    TARGET_KINDS,
    VIEW,
    ClaimLike,
    Status,
    Target,
)


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


def _last_index(claims: Sequence[ClaimLike], kind: str) -> int | None:
    for index in range(len(claims) - 1, -1, -1):
        if claims[index].kind == kind:
            return index
    return None
