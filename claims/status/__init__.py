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

The package: terms.py (the words: kinds, standings, statuses, Target), rules.py (the rules),
result.py (MilestoneStatus, told in words; track records), rows.py (a status read back from a
database row of stored or derived facts).
"""

from claims.dates import add_months, months_between
from claims.status.result import (
    MilestoneStatus,
    SlipSpread,
    TrackRecord,
    achieved_label,
    explain,
    overdue_months,
    revision_direction,
    slip_label,
    slip_spread,
    track_record,
)
from claims.status.rows import (
    ROW_FACTS,
    Outcome,
    outcome_from_row,
    status_from_annotations,
    status_from_facts,
    target_from_json,
)
from claims.status.rules import (
    classify,
    counts,
    derive_status,
    is_stale,
    known_on,
    targets_of,
    timing,
    visible,
)
from claims.status.terms import (
    ACHIEVEMENT,
    ANNOUNCEMENT,
    CANCELLATION,
    CANT_TELL,
    CLARIFICATION,
    LATE,
    METHODOLOGY_VERSION,
    ON_TIME,
    PARTY_STANDINGS,
    REAFFIRMATION,
    REVISION,
    STALE_AFTER_MONTHS,
    STATUS_CHOICES,
    STATUS_LABELS,
    TARGET_KINDS,
    VERDICT_LABELS,
    VIEW,
    ClaimLike,
    Status,
    Target,
)

__all__ = [
    "ACHIEVEMENT",
    "ANNOUNCEMENT",
    "CANCELLATION",
    "CANT_TELL",
    "CLARIFICATION",
    "ClaimLike",
    "LATE",
    "MilestoneStatus",
    "ON_TIME",
    "Outcome",
    "PARTY_STANDINGS",
    "REAFFIRMATION",
    "REVISION",
    "ROW_FACTS",
    "METHODOLOGY_VERSION",
    "STALE_AFTER_MONTHS",
    "STATUS_CHOICES",
    "STATUS_LABELS",
    "Status",
    "TARGET_KINDS",
    "Target",
    "SlipSpread",
    "TrackRecord",
    "VERDICT_LABELS",
    "VIEW",
    "achieved_label",
    "add_months",
    "classify",
    "counts",
    "derive_status",
    "explain",
    "is_stale",
    "known_on",
    "months_between",
    "outcome_from_row",
    "overdue_months",
    "revision_direction",
    "slip_label",
    "status_from_annotations",
    "status_from_facts",
    "target_from_json",
    "targets_of",
    "timing",
    "slip_spread",
    "track_record",
    "visible",
]
