"""Reusable reads, each reading as a filter:
`Milestone.objects.in_countries(["CN"]).of_kind("capacity_phase").with_claims()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Prefetch, Q


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
    def with_claim_counts(self) -> SourceQuerySet:
        return self.annotate(claim_count=models.Count("claims", distinct=True))


class MilestoneQuerySet(models.QuerySet):
    def in_countries(self, codes: Iterable[str]) -> MilestoneQuerySet:
        codes = [c.upper() for c in codes]
        return self.filter(company__country__in=codes) if codes else self

    def for_company(self, slug: str | None) -> MilestoneQuerySet:
        return self.filter(company__slug=slug) if slug else self

    def of_kind(self, kind: str | None) -> MilestoneQuerySet:
        return self.filter(kind=kind) if kind else self

    def with_technology(self, slug: str | None) -> MilestoneQuerySet:
        if not slug:
            return self
        return self.filter(
            Q(technology__slug=slug) | Q(technology__isnull=True, company__technologies__slug=slug)
        ).distinct()

    def stated_by(self, as_of: date) -> MilestoneQuerySet:
        """Milestones that had at least one claim stated on or before as_of."""
        return self.filter(claims__stated_on__lte=as_of).distinct()

    def with_status(self, status: str, as_of: date) -> MilestoneQuerySet:
        """Milestones whose derived status as of a date is `status`.

        The status rules run in Python over prefetched claims (claims/status.py).
        """
        ids = [m.pk for m in self._statused() if m.status(as_of).status == status]
        return self.filter(pk__in=ids)

    def due_in_year(self, year: int, as_of: date) -> MilestoneQuerySet:
        """Milestones whose current target (as of a date) falls due in `year`."""
        ids = []
        for m in self._statused():
            target = m.status(as_of).current_target
            if target is not None and target.latest is not None and target.latest.year == year:
                ids.append(m.pk)
        return self.filter(pk__in=ids)

    def _statused(self) -> MilestoneQuerySet:
        return self.prefetch_related(None).with_claims()

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
