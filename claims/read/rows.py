"""What a read gives: a milestone with its status as of the day (Row), and the pages of a list
of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from claims.models import Claim, Milestone
from claims.status import MilestoneStatus, derive_status

if TYPE_CHECKING:
    from claims.read.asof import AsOf


@dataclass(frozen=True, slots=True)
class Row:
    """A milestone with its status as of the day: what a list shows of it."""

    milestone: Milestone
    result: MilestoneStatus

    def __getitem__(self, name: str):
        # Templates and tags read row.milestone and row["milestone"] alike.
        return getattr(self, name)

    def __iter__(self):
        return iter((self.milestone, self.result))


@dataclass
class RowPages:
    """The rows of a list, for a paginator: sliced, counted, never read whole.

    In due order each slice is read through the claims index by target date
    (MilestoneQuerySet.first_through) rather than by sorting every milestone; other orders
    slice the queryset. `with_claims`: each row's status is derived from its claims (read
    with it) rather than from the annotated facts, for the timeline's chart.
    """

    read: AsOf
    milestones: QuerySet
    with_claims: bool = False
    _count: int | None = field(default=None, repr=False)

    def count(self) -> int:
        if self._count is None:
            self._count = self.read.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def all(self) -> RowPages:  # a paginator asks for .all().count()
        return self

    def __getitem__(self, rows: slice) -> list[Row]:
        start, stop = rows.start or 0, rows.stop
        if stop is None or stop <= start:
            return []
        if self.with_claims:
            page = self.milestones.with_claims(Claim.objects.for_status())[start:stop]
            return [Row(m, derive_status(m.claims.all(), self.read.day)) for m in page]
        if self.read.filters.sort == "due" and not self.read.filters.nothing:
            found = self.read.due_first(self.milestones, offset=start, limit=stop - start)
        else:
            found = self.milestones[start:stop]
        return self.read.rows_of(found)
