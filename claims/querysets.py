"""Reusable reads, each reading as a filter:
`Milestone.objects.in_countries(["CN"]).of_kind("capacity_phase").with_claims()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import ExtractYear, JSONObject

from claims.status import (
    ACHIEVEMENT,
    ANNOUNCEMENT,
    CANCELLATION,
    PARTY_STANDINGS,
    STALE_AFTER_MONTHS,
    TARGET_KINDS,
    Status,
    add_months,
    outcome_from_row,
    track_record,
)


def _day(value) -> date:
    """A date from JSON, where it is ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


#: Candidates taken from the claims index per row wanted at first, how many times more on
#: each further try, and how many tries before sorting everything (see first_through).
CANDIDATES_PER_ROW = 8
CANDIDATE_GROWTH = 8
CANDIDATE_TRIES = 2


#: A company's names, as the lists, the API and the admin search them (Company.names lists
#: their values; the imports match a company on the same names).
COMPANY_NAMES = ("name", "native_name", "aliases")


def _contains(text: str, fields: Iterable[str]) -> Q:
    """Any of the fields contains the text (case-insensitively)."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": text})
    return condition


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
        return self.filter(_contains(text, (*COMPANY_NAMES, "tickers", "slug")))


class CompanyRelationQuerySet(models.QuerySet):
    def involving(self, company) -> CompanyRelationQuerySet:
        """Relations from or to a company."""
        return self.filter(Q(from_company=company) | Q(to_company=company))

    def for_profile(self) -> CompanyRelationQuerySet:
        """Only what a company's profile shows of a relation: its kind, note, source id, and
        the two companies' names and slugs."""
        return self.select_related("from_company", "to_company").only(
            "kind",
            "note",
            "source",
            "from_company__name",
            "from_company__slug",
            "to_company__name",
            "to_company__slug",
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
        """Sources certainly published by as_of (their publication period has ended)."""
        return self.filter(published_on_latest__lte=as_of)

    def for_citation(self) -> SourceQuerySet:
        """Only what a citation shows (templates/includes/source_cite.html), and the source
        that reported it; newest first."""
        return (
            self.select_related("via")
            .only(*CITATION_FIELDS, "via__publisher")
            .order_by("-published_on", "title", "pk")
        )

    def with_claim_counts(self) -> SourceQuerySet:
        return self.annotate(claim_count=models.Count("claims", distinct=True))


#: The fields of a claim that its milestone's status and timeline row read.
STATUS_FIELDS = (
    "milestone",
    "kind",
    "stated_on",
    "stated_on_precision",
    "stated_on_latest",
    "standing",
    "target_text",
    "target_earliest",
    "target_latest",
    "target_precision",
    "achieved_on",
    "achieved_on_precision",
    "achieved_on_latest",
)

#: The fields of a source that a citation shows.
CITATION_FIELDS = (
    "title",
    "publisher",
    "published_on",
    "published_on_precision",
    "published_on_latest",
    "url",
    "via",
)

#: A claim's target as one JSON object, so that a row's target costs one subquery, not four.
TARGET_JSON = JSONObject(
    text="target_text",
    earliest="target_earliest",
    latest="target_latest",
    precision="target_precision",
)


def status_conditions(as_of: date) -> dict[Status, Q]:
    """Each status as a condition on the facts that with_status(as_of) annotates.

    The rules of with_status's `status`, each written as "this rule matches and no earlier
    one does", so that they exclude each other and one can be filtered on alone. Written
    without negation: Django does not carry NULLs through a negated annotation. A property
    test checks them against the rules.
    """
    not_achieved = Q(achieved_on__isnull=True)
    # last_said is the kind of the latest announcement or cancellation, or NULL.
    not_cancelled = Q(last_said__isnull=True) | Q(last_said=ANNOUNCEMENT)
    open_or_not_due = Q(current_target_latest__isnull=True) | Q(current_target_latest__gte=as_of)
    dated = Q(first_target_latest__isnull=False)
    pending = not_achieved & not_cancelled
    return {
        Status.ACHIEVED: Q(achieved_on__isnull=False),
        Status.CANCELLED: not_achieved & Q(last_said=CANCELLATION),
        Status.OVERDUE: pending & Q(current_target_latest__lt=as_of),
        # Open-ended now, or due later than first promised (and not yet due).
        Status.DELAYED: pending
        & dated
        & (
            Q(current_target_latest__isnull=True)
            | Q(
                current_target_latest__gte=as_of, current_target_latest__gt=F("first_target_latest")
            )
        ),
        Status.ON_TRACK: pending
        & dated
        & Q(current_target_latest__gte=as_of, current_target_latest__lte=F("first_target_latest")),
        Status.UNDATED: pending & Q(first_target_latest__isnull=True) & open_or_not_due,
    }


def status_case(as_of: date) -> Case:
    """The status as one expression: each status of status_conditions() in the rules' order.

    Generated from the same table as the status filter (in_status), so that the two cannot
    disagree; the conditions exclude each other and together cover every milestone.
    """
    return Case(
        *(
            When(condition, then=Value(status.value))
            for status, condition in status_conditions(as_of).items()
        ),
        output_field=models.CharField(),
    )


class MilestoneQuerySet(models.QuerySet):
    def in_countries(self, codes: Iterable[str]) -> MilestoneQuerySet:
        """Milestones that happen in these countries: at a facility there, or of a company
        there when not at a facility."""
        codes = [c.upper() for c in codes]
        return self.filter(country__in=codes) if codes else self

    def for_company(self, slug: str | None) -> MilestoneQuerySet:
        return self.filter(company__slug=slug) if slug else self

    def involving(self, company) -> MilestoneQuerySet:
        """A company's own milestones and those that name it as a partner.

        The partnered ones are read first (a few ids), so that the database reads both sets
        along their indexes instead of testing every milestone for a partner."""
        partnered = list(
            self.model.partners.through.objects.filter(company=company).values_list(
                "milestone_id", flat=True
            )
        )
        if not partnered:
            return self.filter(company=company)
        return self.filter(Q(company=company) | Q(pk__in=partnered))

    def search(self, text: str | None) -> MilestoneQuerySet:
        """Match titles and the company's names and aliases."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(_contains(text, ("title", *(f"company__{n}" for n in COMPANY_NAMES))))

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

    def stated_by(self, as_of: date, *, stored: bool) -> MilestoneQuerySet:
        """Milestones that had at least one claim stated on or before as_of.

        `stored`: every claim is known by as_of (the read model decides), so that every
        milestone with a claim has its stored facts row.
        """
        from claims.models import Claim

        if stored:
            return self.filter(facts__isnull=False)
        return self.filter(
            Exists(Claim.objects.filter(milestone=OuterRef("pk"), stated_on_latest__lte=as_of))
        )

    def derived_facts(self, as_of: date) -> dict:
        """The facts a status is decided on, as subqueries over the claims known by as_of
        (their stated period ended by then), in the order they became known:
        `achieved_on` and `achieved_latest` (the first and last day the first achievement could
        have happened), `first_target_latest`, `current_target_latest`, `first_target` and
        `current_target` (text, earliest, latest and precision as JSON), `last_said` (the kind
        of the latest announcement or cancellation), `last_claim_on` and `last_claim_from` (the
        latest claim's stated period). Targets, cancellations and announcements count only from
        the milestone's own parties; achievements from anyone.
        """
        from claims.models import Claim

        visible = Claim.objects.filter(milestone=OuterRef("pk"), stated_on_latest__lte=as_of)
        own = visible.filter(standing__in=PARTY_STANDINGS)
        targets = own.filter(kind__in=TARGET_KINDS).exclude(target_precision="none")
        newest = ("-stated_on_latest", "-stated_on", "-id")
        current = targets.order_by(*newest)
        first = targets.filter(target_latest__isnull=False).order_by(
            "stated_on_latest", "stated_on", "id"
        )
        # Cancelled when the latest cancellation is not followed by a newer announcement: that
        # is, when the latest of the two kinds is a cancellation. One index probe per row.
        latest_say = own.filter(kind__in=[ANNOUNCEMENT, CANCELLATION]).order_by(*newest)
        achieved = visible.filter(kind=ACHIEVEMENT, achieved_on__isnull=False)
        return {
            "achieved_on": Subquery(achieved.order_by("achieved_on").values("achieved_on")[:1]),
            "achieved_latest": Subquery(
                achieved.order_by("achieved_on_latest").values("achieved_on_latest")[:1]
            ),
            "first_target_latest": Subquery(first.values("target_latest")[:1]),
            "current_target_latest": Subquery(current.values("target_latest")[:1]),
            # What a row shows of its first and current targets, one subquery each.
            "first_target": Subquery(first.values(json=TARGET_JSON)[:1]),
            "current_target": Subquery(current.values(json=TARGET_JSON)[:1]),
            "last_said": Subquery(latest_say.values("kind")[:1]),
            "last_claim_on": Subquery(visible.order_by(*newest).values("stated_on_latest")[:1]),
            "last_claim_from": Subquery(visible.order_by(*newest).values("stated_on")[:1]),
        }

    def with_facts(self, as_of: date, *, stored: bool) -> MilestoneQuerySet:
        """Annotate the facts a status is decided on (FACT_NAMES): read from the stored
        MilestoneFacts when `stored` (as of any day on or after the latest claim), else
        derived from the claims known by as_of (derived_facts)."""
        from claims.facts import FACT_NAMES

        if stored:
            return self.annotate(**{name: F(f"facts__{name}") for name in FACT_NAMES})
        return self.annotate(**self.derived_facts(as_of))

    def with_status(self, as_of: date, *, stored: bool) -> MilestoneQuerySet:
        """Annotate the status as of a date, computed in the database.

        The same rules as claims/status/rules.py (the readable, single-milestone form), over the
        facts of with_facts(as_of, stored=stored), as the expression status_case(as_of)
        generates from the table of per-status conditions. Annotations: the facts,
        `status`, `target_year`, `stale`. A property-based test keeps the forms in
        agreement, on both kinds of facts.
        """
        stale_before = add_months(as_of, -STALE_AFTER_MONTHS)
        return self.with_facts(as_of, stored=stored).annotate(
            status=status_case(as_of),
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

    def in_status(self, statuses: Iterable[str], as_of: date) -> MilestoneQuerySet:
        """Milestones (with their facts as of as_of) whose status is one of `statuses`.

        Filtered on status_conditions() rather than on the status expression: the database
        can estimate those conditions and read them along an index, which it cannot do for
        a CASE.
        """
        conditions = status_conditions(as_of)
        wanted = Q()
        for status in statuses:
            wanted |= conditions[Status(status)]
        return self.filter(wanted)

    def track_records(self, as_of: date, *, by: str, stored: bool) -> dict:
        """Track record (claims.status.TrackRecord) per value of `by`, e.g. "company_id".

        One query: each milestone's status and target dates, grouped in Python.
        """
        rows = (
            self.with_status(as_of, stored=stored)
            .stated_by(as_of, stored=stored)
            .order_by()
            .values(
                by,
                "status",
                "first_target_latest",
                "current_target_latest",
                "achieved_on",
                "achieved_latest",
            )
        )
        groups: dict = {}
        for row in rows:
            groups.setdefault(row[by], []).append(outcome_from_row(row, as_of))
        return {key: track_record(outcomes) for key, outcomes in groups.items()}

    def status_census(self, as_of: date, *, stored: bool) -> list[tuple]:
        """(company_id, country, status, kind, target_year, count) for the milestones stated
        by as_of (country: where each happens).

        One grouped query. Facet counts, page counts and the country-by-status pivot are
        sums over these rows (see claims.read.asof), so a list needs no count query of its
        own.
        """
        return list(self.census_query(as_of, stored=stored))

    def census_query(self, as_of: date, *, stored: bool) -> MilestoneQuerySet:
        """The grouped query of status_census()."""
        return (
            self.with_status(as_of, stored=stored)
            .stated_by(as_of, stored=stored)
            .order_by()
            .values_list("company_id", "country", "status", "kind", "target_year")
            .annotate(n=models.Count("pk"))
        )

    def first_through(
        self,
        claims: ClaimQuerySet,
        *,
        field: str,
        claim_field: str,
        descending: bool,
        limit: int,
        offset: int = 0,
        indexed: bool = False,
    ) -> list:
        """Rows offset to offset + limit of these milestones in (`field`, pk) order, found
        through an index on claims.

        `field` (e.g. current_target_latest) must be the `claim_field` of one of the
        milestone's `claims` (its current target claim). Rather than computing `field` for
        every milestone in order to sort them all, take as candidates the milestones of the
        first claims along an index of claims in (claim_field, milestone) order, some per row
        wanted, and sort only those. Every milestone whose `field` comes before the last of
        those claims is among them, so the answer is exact when the last row found does not
        come after it. Otherwise (few candidates passed the filters) try again with
        CANDIDATE_GROWTH times as many, then sort all the milestones. One query a try.
        In ascending order rows without a `field` come last; in descending order they are
        left out (an index read backwards would give them first). `indexed`: `field` is a
        stored column (the stored facts), whose own index gives the order directly.
        """
        sign = "-" if descending else ""
        if descending:
            ordered = self.filter(**{f"{field}__isnull": False}).order_by(F(field).desc(), "-pk")
        else:
            ordered = self.order_by(F(field).asc(nulls_last=True), "pk")
        rows = slice(offset, offset + limit)
        if indexed:
            return list(ordered[rows])
        claims = claims.filter(**{f"{claim_field}__isnull": False}).order_by(
            f"{sign}{claim_field}", f"{sign}milestone_id"
        )
        batch = (offset + limit) * CANDIDATES_PER_ROW
        for _ in range(CANDIDATE_TRIES):
            # The last candidate claim's (value, milestone), as JSON: one subquery for both.
            last_claim = claims.values(bound=JSONObject(value=claim_field, milestone="milestone"))
            found = list(
                ordered.filter(pk__in=claims.values("milestone_id")[:batch]).annotate(
                    bound=Subquery(last_claim[batch - 1 : batch])
                )[rows]
            )
            if found and found[0].bound is None:  # fewer claims than that: all were candidates
                # Unless the page runs past them into the rows without a `field`, which
                # no claim names (ascending order only: descending leaves them out).
                if descending or len(found) == limit:
                    return found
                break
            if len(found) == limit:
                last = (getattr(found[-1], field), found[-1].pk)
                bound = found[-1].bound
                bound = (_day(bound["value"]), bound["milestone"])
                if last[0] is not None and (last >= bound if descending else last <= bound):
                    return found
            batch *= CANDIDATE_GROWTH
        return list(ordered[rows])

    def due_in_year(self, year: int) -> MilestoneQuerySet:
        """Milestones whose current target falls due in `year` (after with_status)."""
        return self.filter(target_year=year)

    def with_claims(self, claims: ClaimQuerySet | None = None) -> MilestoneQuerySet:
        """Everything a status or a timeline row needs, in a fixed number of queries: each
        milestone's `claims` (by default with their sources), oldest first."""
        from claims.models import Claim

        if claims is None:
            claims = Claim.objects.select_related("source__via")
        return self.select_related("company", "facility", "technology").prefetch_related(
            Prefetch("claims", queryset=claims.order_by("stated_on_latest", "stated_on", "id"))
        )


class ClaimQuerySet(models.QuerySet):
    def stated_by(self, as_of: date) -> ClaimQuerySet:
        """Claims known by as_of: their stated period ended on or before it."""
        return self.filter(stated_on_latest__lte=as_of)

    def for_status(self) -> ClaimQuerySet:
        """Only what a milestone's status and its timeline row read of a claim."""
        return self.only(*STATUS_FIELDS)

    def for_company_page(self) -> ClaimQuerySet:
        """What a company page reads of its claims: what the statuses and the timeline
        need, and what the claims section shows but the source."""
        return self.only(*STATUS_FIELDS, "speaker", "evidence", "quote", "source", "updated_at")
