"""Claims: dated statements about a milestone, by someone, in a source."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.dates import (
    datetime_attr,
)
from claims.models.base import (
    DatePrecision,
    Versioned,
    format_date,
    partial_date_bounds,
)
from claims.models.milestone import Milestone
from claims.models.source import Source
from claims.periods import PRECISION_CHOICES, PeriodError, format_period, parse_period
from claims.querysets import (
    ClaimQuerySet,
)


class Claim(Versioned):
    """A dated statement about a milestone, by someone, in a source."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", "Announcement"
        REAFFIRMATION = "reaffirmation", "Reaffirmation"
        REVISION = "revision", "Revision of the target"
        ACHIEVEMENT = "achievement", "Achievement report"
        CLARIFICATION = "clarification", "Clarification or denial"
        CANCELLATION = "cancellation", "Cancellation or strategy change"
        VIEW = "view", "Third party's view or doubt"

    class Standing(models.TextChoices):
        COMPANY = "company", "The company (statement, filing, executive)"
        PARTNER = "partner", "A partner or customer named on the milestone"
        GOVERNMENT = "government", "Government body"
        THIRD_PARTY = "third_party", "Third party (analyst, association, media, expert)"

    class Evidence(models.IntegerChoices):
        # Ordered: a higher number is stronger evidence.
        COMPANY_STATEMENT = 1, "Company statement"
        THIRD_PARTY_REPORT = 2, "Third-party report"
        OFFICIAL_RECORD = 3, "Official record (filing, permit, registry)"
        INDEPENDENT_OBSERVATION = 4, "Independent observation (site visit, teardown)"

    TARGET_KINDS = (Kind.ANNOUNCEMENT, Kind.REAFFIRMATION, Kind.REVISION)
    #: Kinds only the milestone's own parties (its company and partners) may state.
    PARTY_KINDS = (*TARGET_KINDS, Kind.CANCELLATION, Kind.CLARIFICATION)
    PARTY_STANDINGS = (Standing.COMPANY, Standing.PARTNER)

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    stated_on = models.DateField(
        help_text="When it was said, as precisely as the source gives it: 2025-09-02, 2025-09, "
        "2025-Q3, 2025."
    )
    stated_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    #: The last day it could have been said: a claim counts as known from then on.
    stated_on_latest = models.DateField(editable=False, null=True)
    speaker = models.CharField(
        max_length=200, blank=True, help_text='Who said it, e.g. "Liu Jincheng, chairman".'
    )
    standing = models.CharField(
        "speaker's standing",
        max_length=20,
        choices=Standing.choices,
        default=Standing.COMPANY,
        help_text="Only the company and partners named on the milestone set, revise or cancel "
        "its targets; anyone may report an achievement; others' opinions are views.",
    )
    target_text = models.CharField(
        "target as stated",
        max_length=100,
        blank=True,
        help_text='The target in the speaker\'s words: "by December 2025", "H2 2026", "2027–28", '
        '"FY2028", "mid-2020s", "after 2030", "not stated".',
    )
    target_earliest = models.DateField(null=True, blank=True, editable=False)
    target_latest = models.DateField(null=True, blank=True, editable=False)
    target_precision = models.CharField(
        max_length=10, choices=PRECISION_CHOICES, default="none", editable=False
    )
    achieved_on = models.DateField(
        null=True,
        blank=True,
        help_text="For an achievement report: when it happened, as precisely as the source says.",
    )
    achieved_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    achieved_on_latest = models.DateField(editable=False, null=True)
    evidence = models.PositiveSmallIntegerField(
        choices=Evidence.choices, null=True, blank=True, help_text="For an achievement report."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(blank=True, help_text="A short excerpt from the source.")
    #: The claim this one was stated together with: an achievement report that also gave the
    #: next target, entered as one admin row and saved as two claims.
    stated_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="stated_alongside",
        verbose_name="stated together with",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["stated_on_latest", "stated_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "source", "kind", "stated_on"],
                name="claim_unique_statement",
                violation_error_message="This milestone already has a claim of this kind from this source on this date.",
            ),
            models.CheckConstraint(
                condition=Q(target_earliest__isnull=True)
                | Q(target_latest__isnull=True)
                | Q(target_earliest__lte=models.F("target_latest")),
                name="claim_target_ordered",
                violation_error_message="The target period ends before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="achievement")
                | Q(achieved_on__isnull=False, evidence__isnull=False),
                name="claim_achievement_dated",
                violation_error_message="An achievement report needs the date it happened and an evidence level.",
            ),
            models.CheckConstraint(
                condition=Q(kind="achievement")
                | Q(achieved_on__isnull=True, evidence__isnull=True),
                name="claim_achieved_on_only_for_achievement",
                violation_error_message="Only an achievement report has a date achieved and an evidence level.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["announcement", "reaffirmation", "revision", "view"])
                | Q(target_text="", target_precision="none"),
                name="claim_target_only_for_target_kinds",
                violation_error_message="Only announcements, reaffirmations, revisions and views carry a target.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    kind__in=[
                        "announcement",
                        "reaffirmation",
                        "revision",
                        "cancellation",
                        "clarification",
                    ]
                )
                | Q(standing__in=["company", "partner"]),
                name="claim_targets_by_parties",
                violation_error_message="Only the milestone's own company or partners announce, revise, clarify or cancel its targets: record what others say as a view.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="view") | Q(standing__in=["government", "third_party"]),
                name="claim_view_by_others",
                violation_error_message="A view is a third party's or a government's: the company's own statements are announcements, revisions or clarifications.",
            ),
            models.CheckConstraint(
                condition=Q(evidence__isnull=True) | Q(evidence__gte=1, evidence__lte=4),
                name="claim_evidence_level_valid",
                violation_error_message="Choose an evidence level from the list.",
            ),
        ]
        indexes = [
            # Status as of a date (MilestoneQuerySet.with_status) reads a milestone's claims
            # stated on or before it, latest or earliest first: one index probe per subquery,
            # answered from the index alone on PostgreSQL (the columns the status reads).
            models.Index(
                fields=["milestone", "stated_on_latest", "stated_on", "id"],
                include=[
                    "kind",
                    "standing",
                    "target_precision",
                    "target_latest",
                    "target_earliest",
                    "target_text",
                    "achieved_on",
                    "achieved_on_latest",
                ],
                name="claim_known_idx",
            ),
            # Lists in due order and the dashboard's due-soon and overdue lists read claims
            # along this index (MilestoneQuerySet.first_through); /milestones/?year=YYYY.
            models.Index(fields=["target_latest", "milestone"], name="claim_target_due_idx"),
            # The dashboard's recently achieved list (first_through over achievement reports).
            models.Index(
                fields=["achieved_on", "milestone"],
                condition=Q(kind="achievement"),
                name="claim_achieved_idx",
            ),
            # Newest claims first: the Atom feeds, and the dashboard's recent revisions.
            models.Index(fields=["stated_on_latest", "id"], name="claim_known_order_idx"),
            models.Index(fields=["-created_at"], name="claim_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.stated_label}: {self.milestone.title}"

    def save(self, *args, **kwargs):
        self.fill_date_bounds()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("claims:milestone_detail", args=[self.milestone_id])

    def fill_date_bounds(self) -> None:
        """Snap each partial date to the start of its period and derive its last day."""
        self.stated_on, self.stated_on_latest = partial_date_bounds(
            self.stated_on, self.stated_on_precision
        )
        self.achieved_on, self.achieved_on_latest = partial_date_bounds(
            self.achieved_on, self.achieved_on_precision
        )

    @property
    def stated_label(self) -> str:
        return format_date(self.stated_on, self.stated_on_precision)

    @property
    def stated_datetime(self) -> str:
        return datetime_attr(self.stated_on, self.stated_on_latest or self.stated_on)

    @property
    def achieved_label(self) -> str:
        return format_date(self.achieved_on, self.achieved_on_precision)

    @property
    def target_label(self) -> str:
        if self.kind not in (*self.TARGET_KINDS, self.Kind.VIEW):
            return ""
        return format_period(self.target_earliest, self.target_latest, self.target_precision)

    @property
    def has_target(self) -> bool:
        return self.kind in self.TARGET_KINDS

    @property
    def counts(self) -> bool:
        """Whether it can move the milestone's status: its own parties' statements, and
        achievement reports by anyone. Views never count."""
        return self.kind == self.Kind.ACHIEVEMENT or (
            self.kind != self.Kind.VIEW and self.standing in self.PARTY_STANDINGS
        )

    @property
    def is_third_party(self) -> bool:
        return self.standing not in self.PARTY_STANDINGS

    @property
    def standing_label(self) -> str:
        """Who spoke, in short ("Partner"), for marking a claim that is not the company's."""
        return STANDING_LABELS.get(self.standing, "")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._clean_target(errors)
        self._clean_standing(errors)
        if self.kind == self.Kind.ACHIEVEMENT:
            if self.achieved_on is None:
                errors["achieved_on"] = "An achievement report needs the date it happened."
            if self.evidence is None:
                errors["evidence"] = "Say how strong the evidence for the achievement is."
            elif self.evidence == self.Evidence.OFFICIAL_RECORD and self.source_id:
                if self.source.kind not in (
                    Source.Kind.REGULATORY_FILING,
                    Source.Kind.GOVERNMENT_NOTICE,
                ):
                    errors["evidence"] = (
                        "Official record needs the filing, permit or notice itself as the source; "
                        "a record known only through a report is a third-party report."
                    )
            elif (
                self.evidence == self.Evidence.INDEPENDENT_OBSERVATION
                and self.standing in self.PARTY_STANDINGS
            ):
                errors["evidence"] = (
                    "A company cannot observe itself independently: independent observation is a "
                    "third party's own site visit or teardown."
                )
        else:
            if self.achieved_on is not None:
                errors["achieved_on"] = "Only an achievement report has a date achieved."
            if self.evidence is not None:
                errors["evidence"] = "Only an achievement report has an evidence level."
        if self.stated_on and self.stated_on > date.today():
            errors["stated_on"] = "A claim cannot be stated in the future."
        if self.achieved_on and self.stated_on:
            _, stated_latest = partial_date_bounds(self.stated_on, self.stated_on_precision)
            achieved_earliest, _ = partial_date_bounds(self.achieved_on, self.achieved_on_precision)
            if achieved_earliest > stated_latest:
                errors["achieved_on"] = (
                    "An achievement cannot be reported before it happened: the date achieved is "
                    "after the date stated."
                )
        if errors:
            raise ValidationError(errors)

    def _clean_target(self, errors: dict[str, str]) -> None:
        """Read the stated target into its period, against the claim's own date and the
        company's fiscal year."""
        if self.kind in (*self.TARGET_KINDS, self.Kind.VIEW) and (
            self.target_text or self.kind != self.Kind.VIEW
        ):
            company = self.milestone.company if self.milestone_id else None
            # Relative words ("within 18 months") count from the last day the statement could
            # have been made: a deadline is never earlier than the source allows.
            _, said_by = partial_date_bounds(self.stated_on, self.stated_on_precision)
            try:
                period = parse_period(
                    self.target_text or "",
                    stated_on=said_by,
                    fiscal_year_start=company.fiscal_year_start_month if company else None,
                )
            except PeriodError as exc:
                errors["target_text"] = str(exc)
            else:
                self.target_text = period.stated
                self.target_earliest = period.earliest
                self.target_latest = period.latest
                self.target_precision = str(period.precision)
            return
        if self.target_text:
            errors["target_text"] = (
                f"A {self.get_kind_display().lower()} carries no target: leave the target "
                "empty, or make it an announcement, reaffirmation or revision."
            )
        self.target_earliest = self.target_latest = None
        self.target_precision = "none"

    def _clean_standing(self, errors: dict[str, str]) -> None:
        if self.kind in self.PARTY_KINDS and self.standing not in self.PARTY_STANDINGS:
            errors["standing"] = (
                "Only the milestone's own company or partners announce, revise, clarify or "
                "cancel its targets: record what a "
                f"{self.get_standing_display().split(' (')[0].lower()} says as a view."
            )
        if self.kind == self.Kind.VIEW and self.standing in self.PARTY_STANDINGS:
            errors["standing"] = (
                "A view is a third party's or a government's: the company's own statements are "
                "announcements, revisions or clarifications."
            )
        if (
            self.standing == self.Standing.PARTNER
            and self.milestone_id
            and self.milestone.pk
            and not self.milestone.partners.exists()
        ):
            errors["standing"] = (
                "This milestone names no partner company: add the partner to the milestone "
                "first, or choose another standing."
            )


#: Short labels of a speaker's standing, for marking claims that do not count.
STANDING_LABELS = {
    "company": "The company",
    "partner": "Partner",
    "government": "Government body",
    "third_party": "Third party",
}
