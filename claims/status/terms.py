"""The words of the status rules: claim kinds, standings, verdicts, the statuses, and a target as
the rules read it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from claims.dates import datetime_attr, format_span
from claims.periods import Dated

#: The version of the published rules (/methodology/) these functions implement: raise it
#: whenever a rule changes what a status or a verdict means. Downloads of the data carry it.
METHODOLOGY_VERSION = "1"

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
class Target(Dated):
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
    def stated_text(self) -> str:
        """When it was stated, as precisely as the source says."""
        return format_span(self.stated_on, self.stated_latest or self.stated_on)

    @property
    def stated_datetime(self) -> str:
        return datetime_attr(self.stated_on, self.stated_latest or self.stated_on)
