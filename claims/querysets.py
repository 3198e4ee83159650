"""Reusable reads, each reading as a filter:
`Milestone.objects.in_countries(["CN"]).of_kind("capacity_phase").with_claims()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import ExtractYear

from claims.status import (
    ACHIEVEMENT,
    ANNOUNCEMENT,
    CANCELLATION,
    STALE_AFTER_MONTHS,
    TARGET_KINDS,
    Status,
    add_months,
    outcome_from_row,
    track_record,
)


class CompanyQuerySet(models.QuerySet):
    def in_countries(self, codes: Iterable[str]) -> CompanyQuerySet:
        codes = [c.upper() for c in codes]
        return self.filter(country__in=codes) if codes else self

    def with_role(self, role: str | None) -> CompanyQuerySet:
        return self.filter(role=role) if role else self

    def with_technology(self, slug: str | None) -> CompanyQuerySet:
        return self.filter(technologies__slug=slug) if slug else self

    def search(self, text: str | None) -> CompanyQuerySet:
        """Match names, native names, aliases and tickers."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(native_name__icontains=text)
            | Q(aliases__icontains=text)
            | Q(tickers__icontains=text)
            | Q(slug__icontains=text)
        )


class SourceQuerySet(models.QuerySet):
    def search(self, text: str | None) -> SourceQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text) | Q(publisher__icontains=text) | Q(url__icontains=text)
        )

    def published_by(self, as_of: date) -> SourceQuerySet:
        return self.filter(published_on__lte=as_of)

    def with_claim_counts(self) -> SourceQuerySet:
        return self.annotate(claim_count=models.Count("claims", distinct=True))


class MilestoneQuerySet(models.QuerySet):
    def in_countries(self, codes: Iterable[str]) -> MilestoneQuerySet:
        codes = [c.upper() for c in codes]
        return self.filter(company__country__in=codes) if codes else self

    def for_company(self, slug: str | None) -> MilestoneQuerySet:
        return self.filter(company__slug=slug) if slug else self

    def search(self, text: str | None) -> MilestoneQuerySet:
        """Match titles and the company's names and aliases."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(company__name__icontains=text)
            | Q(company__native_name__icontains=text)
            | Q(company__aliases__icontains=text)
        )

    def of_kind(self, kind: str | None) -> MilestoneQuerySet:
        return self.filter(kind=kind) if kind else self

    def with_technology(self, slug: str | None) -> MilestoneQuerySet:
        if not slug:
            return self
        from claims.models import Company

        company_uses = Company.technologies.through.objects.filter(
            company=OuterRef("company"), technology__slug=slug
        )
        # A milestone's own technology, else its company's routes.
        return self.filter(
            Q(technology__slug=slug) | Q(technology__isnull=True) & Exists(company_uses)
        )

    def stated_by(self, as_of: date) -> MilestoneQuerySet:
        """Milestones that had at least one claim stated on or before as_of."""
        from claims.models import Claim

        return self.filter(
            Exists(Claim.objects.filter(milestone=OuterRef("pk"), stated_on__lte=as_of))
        )

    def with_status(self, as_of: date) -> MilestoneQuerySet:
        """Annotate the derived status as of a date, computed in the database.

        The same rules as claims/status.py (the readable, single-milestone form), written as
        subqueries over the claims stated on or before as_of, so that lists can filter, count
        and sort by status without reading every claim. Annotations: `status`, `achieved_on`,
        `first_target_latest`, `current_target_latest`, `current_target_precision`,
        `last_claim_on`, `stale`. A property-based test keeps the two forms in agreement.
        """
        from claims.models import Claim

        visible = Claim.objects.filter(milestone=OuterRef("pk"), stated_on__lte=as_of)
        targets = visible.filter(kind__in=TARGET_KINDS).exclude(target_precision="none")
        current = targets.order_by("-stated_on", "-id")
        first = targets.filter(target_latest__isnull=False).order_by("stated_on", "id")
        later_announcement = Claim.objects.filter(
            milestone=OuterRef("milestone"), kind=ANNOUNCEMENT, stated_on__lte=as_of
        ).filter(
            Q(stated_on__gt=OuterRef("stated_on"))
            | Q(stated_on=OuterRef("stated_on"), id__gt=OuterRef("id"))
        )
        standing_cancellation = visible.filter(kind=CANCELLATION).filter(
            ~Exists(later_announcement)
        )
        stale_before = add_months(as_of, -STALE_AFTER_MONTHS)
        return self.annotate(
            achieved_on=Subquery(
                visible.filter(kind=ACHIEVEMENT, achieved_on__isnull=False)
                .order_by("achieved_on")
                .values("achieved_on")[:1]
            ),
            first_target_latest=Subquery(first.values("target_latest")[:1]),
            current_target_latest=Subquery(current.values("target_latest")[:1]),
            current_target_precision=Subquery(current.values("target_precision")[:1]),
            current_target_earliest=Subquery(current.values("target_earliest")[:1]),
            current_target_text=Subquery(current.values("target_text")[:1]),
            first_target_earliest=Subquery(first.values("target_earliest")[:1]),
            first_target_precision=Subquery(first.values("target_precision")[:1]),
            first_target_text=Subquery(first.values("target_text")[:1]),
            is_cancelled=Exists(standing_cancellation),
            last_claim_on=Subquery(visible.order_by("-stated_on").values("stated_on")[:1]),
        ).annotate(
            status=Case(
                When(achieved_on__isnull=False, then=Value(Status.ACHIEVED.value)),
                When(is_cancelled=True, then=Value(Status.CANCELLED.value)),
                When(current_target_latest__lt=as_of, then=Value(Status.OVERDUE.value)),
                When(
                    Q(first_target_latest__isnull=False)
                    & (
                        Q(current_target_latest__isnull=True)
                        | Q(current_target_latest__gt=F("first_target_latest"))
                    ),
                    then=Value(Status.DELAYED.value),
                ),
                When(first_target_latest__isnull=False, then=Value(Status.ON_TRACK.value)),
                default=Value(Status.UNDATED.value),
                output_field=models.CharField(),
            ),
            target_year=ExtractYear("current_target_latest"),
            stale=Case(
                When(
                    Q(achieved_on__isnull=True, last_claim_on__lt=stale_before),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def track_records(self, as_of: date, *, by: str) -> dict:
        """Track record (claims.status.TrackRecord) per value of `by`, e.g. "company_id".

        One query: each milestone's status and target dates, grouped in Python.
        """
        rows = (
            self.with_status(as_of)
            .stated_by(as_of)
            .order_by()
            .values(by, "status", "first_target_latest", "current_target_latest", "achieved_on")
        )
        groups: dict = {}
        for row in rows:
            groups.setdefault(row[by], []).append(outcome_from_row(row, as_of))
        return {key: track_record(outcomes) for key, outcomes in groups.items()}

    def due_in_year(self, year: int) -> MilestoneQuerySet:
        """Milestones whose current target falls due in `year` (after with_status)."""
        return self.filter(target_year=year)

    def with_claims(self) -> MilestoneQuerySet:
        """Everything a status or a timeline row needs, in a fixed number of queries."""
        from claims.models import Claim

        return self.select_related("company", "facility", "technology").prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related("source").order_by("stated_on", "id"),
            )
        )


class ClaimQuerySet(models.QuerySet):
    def stated_by(self, as_of: date) -> ClaimQuerySet:
        return self.filter(stated_on__lte=as_of)

    def for_company(self, company) -> ClaimQuerySet:
        return self.filter(milestone__company=company)

    def newest_first(self) -> ClaimQuerySet:
        return self.order_by("-stated_on", "-id")
