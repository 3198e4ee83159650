"""A status read back from a database row: the stored or derived facts of
MilestoneQuerySet.with_status, decided by the same timing rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from claims.status.result import MilestoneStatus
from claims.status.rules import timing
from claims.status.terms import Status, Target

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
