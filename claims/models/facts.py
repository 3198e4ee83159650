"""Each milestone's stored status facts (see claims/facts.py)."""

from __future__ import annotations

from django.db import models

from claims.models.milestone import Milestone


class MilestoneFacts(models.Model):
    """What a milestone's claims say, kept beside it: the inputs of its status as of today.

    Derived, never edited: claims.facts rewrites a milestone's row whenever one of its claims
    is written or deleted, so that lists filter, count and sort by status over plain,
    indexed columns instead of reading every milestone's claims on each request. Views as of
    a past date derive the same facts from the claims stated by then
    (MilestoneQuerySet.with_status); a property test keeps the two in agreement.
    """

    milestone = models.OneToOneField(
        Milestone, on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    #: The earliest and latest day the first achievement could have happened.
    achieved_on = models.DateField(null=True)
    achieved_latest = models.DateField(null=True)
    first_target_latest = models.DateField(null=True)
    current_target_latest = models.DateField(null=True)
    first_target = models.JSONField(null=True)
    current_target = models.JSONField(null=True)
    # NULL as derived_facts gives it, when nothing was announced or cancelled.
    last_said = models.CharField(max_length=20, null=True)  # noqa: DJ001
    #: The latest claim's stated period: known from last_claim_on, said from last_claim_from.
    last_claim_on = models.DateField()
    last_claim_from = models.DateField(null=True)

    class Meta:
        verbose_name_plural = "milestone facts"
        indexes = [
            # Lists in due order (/milestones/, the country page, the dashboard's due-soon
            # and overdue lists), ?year=YYYY, ?status=overdue.
            models.Index(fields=["current_target_latest", "milestone"], name="facts_due_idx"),
            # The dashboard's recently achieved list.
            models.Index(fields=["achieved_on", "milestone"], name="facts_achieved_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of milestone {self.milestone_id}"
