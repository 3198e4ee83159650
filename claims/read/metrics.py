"""Cell metrics claimed against demonstrated, read from the as-of read model.

    metric_points(read, "energy_density_wh_kg")   # the points of the /metrics/ scatter

A milestone that carries a metric (energy density, cell capacity, cycle life) is a claim of it until it is
achieved, placed at its current target (or, undated, when it was last stated), and a
demonstration of it once achieved, placed at its achievement. Cancelled milestones are left
out: a cancelled claim is neither a promise still open nor a result. Each point names the
claim it rests on and that claim's source.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from claims.models import Claim, Milestone
from claims.read.asof import AsOf
from claims.status import ACHIEVEMENT, MilestoneStatus, Status

#: Points a page shows at most (the CSV has them all).
MAX_POINTS = 200
CLAIMED, DEMONSTRATED = "claimed", "demonstrated"
SHOWN_STATUSES = [s for s in Status if s != Status.CANCELLED]


@dataclass(frozen=True)
class MetricPoint:
    milestone: Milestone
    result: MilestoneStatus
    kind: str  # CLAIMED or DEMONSTRATED
    day: date
    value: Decimal
    claim: Claim | None  # the claim the point rests on (its source selected)

    @property
    def source(self):
        return self.claim.source if self.claim is not None else None


def point_day(result: MilestoneStatus) -> tuple[str, date | None]:
    """(claimed or demonstrated, the day the point sits at): achieved ones at their
    achievement, the others at their current target's end, or when last stated."""
    if result.status == Status.ACHIEVED:
        return DEMONSTRATED, result.achieved_on
    target = result.current_target
    if target is not None and target.latest is not None:
        return CLAIMED, target.latest
    return CLAIMED, result.last_claim_on


def metric_milestones(read: AsOf, field: str) -> QuerySet:
    """The milestones found by the read's filters that carry `field`, not cancelled."""
    milestones = read.narrowed(read.annotated()).filter(**{f"{field}__isnull": False})
    return read.in_status(milestones, SHOWN_STATUSES).order_by("company__name", "title", "pk")


def metric_points(read: AsOf, field: str, limit: int | None = MAX_POINTS) -> list[MetricPoint]:
    """The points (at most `limit`), each with the claim it rests on, in date order."""
    milestones = metric_milestones(read, field).with_claims(Claim.objects.select_related("source"))
    if limit is not None:
        milestones = milestones[:limit]
    points = list(_points(read, milestones, field))
    return sorted(points, key=lambda p: (p.day, p.milestone.company.name, p.milestone.pk))


def _points(read: AsOf, milestones, field: str) -> Iterator[MetricPoint]:
    for row in read.histories(milestones):
        kind, day = point_day(row.result)
        if day is None or row.result.status == Status.CANCELLED:
            continue
        yield MetricPoint(
            milestone=row.milestone,
            result=row.result,
            kind=kind,
            day=day,
            value=getattr(row.milestone, field),
            claim=_claim_behind(row.milestone, row.result, kind, read.day),
        )


def _claim_behind(milestone, result: MilestoneStatus, kind: str, day: date) -> Claim | None:
    """The achievement report a demonstration rests on, or the claim that set the current
    target (else the latest claim) for a claim."""
    seen = [c for c in milestone.claims.all() if (c.stated_on_latest or c.stated_on) <= day]
    if kind == DEMONSTRATED:
        reports = [c for c in seen if c.kind == ACHIEVEMENT]
        exact = [c for c in reports if c.achieved_on == result.achieved_on]
        return (exact or reports or [None])[-1]
    target = result.current_target
    if target is not None and target.claim_id is not None:
        return next((c for c in seen if c.pk == target.claim_id), None)
    return seen[-1] if seen else None


def count_found(read: AsOf, field: str) -> int:
    return metric_milestones(read, field).count()
