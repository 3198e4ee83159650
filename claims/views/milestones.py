"""Milestones: the filterable list, the one-axis timeline, and each milestone's page."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from claims import structured_data
from claims.cache import cache_public_page, remember
from claims.charts import revisions_chart, timeline_chart
from claims.dates import format_span, span_precision
from claims.filters import MilestoneFilterForm
from claims.models import Claim, Company, Milestone
from claims.status import (
    CANCELLATION,
    STALE_AFTER_MONTHS,
    Status,
    add_months,
    classify,
    derive_status,
    status_from_annotations,
    target_from_json,
    timing,
    visible,
)
from claims.views.common import (
    csv_response,
    last_changed,
    page_context,
    paginate,
    raw_rows,
    render_page,
    wants_csv,
)

TIMELINE_ROWS = 60
#: The company facet lists the companies with most milestones (and the one chosen).
COMPANY_FACETS = 30
CSV_HEADER = [
    "id",
    "slug",
    "company",
    "company_slug",
    "country",
    "facility",
    "kind",
    "title",
    "status",
    "stale",
    "first_target",
    "first_target_due",
    "current_target_stated",
    "current_target",
    "current_target_from",
    "current_target_due",
    "achieved",
    "achieved_from",
    "achieved_to",
    "achieved_precision",
    "verdict",
    "slip_months_min",
    "slip_months_max",
    "last_claim",
    "last_claim_from",
    "last_claim_to",
    "as_of",
    "url",
]


def filtered_milestones(request: HttpRequest, context: dict):
    """The milestones a list page shows: (form, queryset) with status annotated as of."""
    form = MilestoneFilterForm(request.GET)
    base = Milestone.objects.with_status(context["as_of"]).stated_by(context["as_of"])
    milestones = form.sorted(form.filtered(base)).select_related("company", "facility")
    context["messages_list"] += form.messages
    context["form"] = form
    return form, milestones


def census(as_of, form: MilestoneFilterForm | None = None) -> tuple[list[tuple], dict]:
    """The status census of the milestones stated by as_of (narrowed by the form's technology
    and search), with the companies it names; cached under the data version."""

    def compute():
        base = form.census_base(Milestone.objects.all()) if form else Milestone.objects.all()
        companies = {
            pk: (slug, name, str(country))
            for pk, slug, name, country in Company.objects.values_list(
                "pk", "slug", "name", "country"
            )
        }
        return base.status_census(as_of), companies

    return remember("census", (as_of, form.census_key() if form else ()), compute)


def facets_and_total(form: MilestoneFilterForm, as_of) -> tuple[dict, int]:
    """Facet counts for these filters, as Datasette shows them, and the number of milestones
    found: added up from the census, and cached themselves for these filters."""
    return remember(
        "milestone-facets",
        (as_of, form.cache_key()),
        lambda: form.census_facets(*census(as_of, form)),
    )


def add_facets(form: MilestoneFilterForm, context: dict) -> int:
    """Facet counts into the context; the number of milestones found."""
    facets, total = facets_and_total(form, context["as_of"])
    facets["year"].sort(key=lambda f: f["value"])
    facets["company"] = facets["company"][:COMPANY_FACETS]
    context["facets"] = facets
    return total


class DueFirst:
    """The milestones of a list in due order, for the paginator: each page is read through
    the index of claims by target date (MilestoneQuerySet.first_through) rather than by
    sorting every milestone on its current target."""

    def __init__(self, milestones, form: MilestoneFilterForm, as_of):
        # Every target stated: each milestone's current one is among them.
        claims = Claim.objects.stated_by(as_of).filter(kind__in=Claim.TARGET_KINDS)
        rows = form.filtered_by_rows(Milestone.objects.all())
        if rows is not None:
            claims = claims.filter(milestone__in=rows)
        statuses = set(form.value("status") or [])
        if statuses and statuses <= {Status.ON_TRACK, Status.DELAYED}:
            claims = claims.filter(target_latest__gte=as_of)
        elif statuses == {Status.OVERDUE}:
            claims = claims.filter(target_latest__lt=as_of)
        if form.value("year"):
            claims = claims.filter(target_latest__year=form.value("year"))
        self.milestones, self.claims = milestones, claims

    def __getitem__(self, rows: slice) -> list:
        if rows.stop <= rows.start:
            return []
        return self.milestones.first_through(
            self.claims,
            field="current_target_latest",
            claim_field="target_latest",
            descending=False,
            offset=rows.start,
            limit=rows.stop - rows.start,
        )


def paged(milestones, form: MilestoneFilterForm, as_of):
    """What the paginator reads: in due order (the default) through the claims index."""
    if form.is_valid() and (form.cleaned_data.get("sort") or "due") == "due":
        return DueFirst(milestones, form, as_of)
    return milestones


def with_results(milestones, as_of) -> list[dict]:
    return [{"milestone": m, "result": status_from_annotations(m, as_of)} for m in milestones]


@require_safe
@cache_public_page
def milestone_list(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form, milestones = filtered_milestones(request, context)
    if wants_csv(request):
        return milestone_csv(request, milestones, context["as_of"], "milestones.csv")
    count = add_facets(form, context)
    page = paginate(request, paged(milestones, form, context["as_of"]), context, count=count)
    context.update(
        page=page,
        rows=with_results(page.object_list, context["as_of"]),
        last_changed=last_changed(page.object_list),
    )
    return render_page(request, "claims/milestone_list.html", context)


#: What the CSV export reads of each milestone (see milestone_csv).
CSV_COLUMNS = (
    "pk",
    "slug",
    "company__name",
    "company__slug",
    "country",
    "facility__name",
    "kind",
    "title",
    "first_target",
    "current_target",
    "achieved_on",
    "achieved_latest",
    "last_said",
    "last_claim_on",
    "last_claim_from",
)


@lru_cache(maxsize=8192)
def csv_target(value: str | dict | None) -> tuple[str, tuple, date | None]:
    """(label, (text, earliest), latest) of a target as with_status's JSON text gives it.

    Targets repeat ("2027", "H2 2026"): each distinct one is read and labelled once.
    """
    if value is None:
        return "", ("", None), None
    target = target_from_json(json.loads(value) if isinstance(value, str) else value)
    return target.label, (target.text, target.earliest), target.latest


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def milestone_csv(request, milestones, as_of, filename: str) -> HttpResponse:
    """Every milestone of the list, streamed as plain rows (not model instances).

    A row reads five facts from the database (its first and current targets, its earliest
    achievement, its latest announcement or cancellation, its latest claim) and puts them
    through claims.status.classify, the rules the status annotation also follows: fewer
    subqueries per row than reading the status annotation as well.
    """
    columns = milestones.values_list(*CSV_COLUMNS)
    # One URL reversed, not one per row.
    url = request.build_absolute_uri(reverse("claims:milestone_detail", args=[0]))[:-2]
    stale_before = add_months(as_of, -STALE_AFTER_MONTHS)

    def rows():
        for row in raw_rows(columns):
            pk, slug, company, company_slug, country, facility, kind, title = row[:8]
            first, current, achieved_on, achieved_latest, last_said = row[8:13]
            last_claim_on, last_claim_from = row[13:]
            achieved_on, achieved_latest = _day(achieved_on), _day(achieved_latest)
            last_claim_on, last_claim_from = _day(last_claim_on), _day(last_claim_from)
            first_label, _, first_latest = csv_target(first)
            current_label, (current_text, current_from), current_latest = csv_target(current)
            status = classify(
                achieved_on=achieved_on,
                cancelled=last_said == CANCELLATION,
                first_latest=first_latest,
                current_latest=current_latest,
                as_of=as_of,
            )
            verdict, slip, slip_max = timing(
                status,
                first_latest=first_latest,
                current_latest=current_latest,
                achieved_on=achieved_on,
                achieved_latest=achieved_latest,
                as_of=as_of,
            )
            yield (
                pk,
                slug,
                company,
                company_slug,
                country,
                facility,
                kind,
                title,
                status.value,
                status != Status.ACHIEVED
                and last_claim_on is not None
                and last_claim_on < stale_before,
                first_label,
                first_latest,
                current_text,
                current_label,
                current_from,
                current_latest,
                format_span(achieved_on, achieved_latest),
                achieved_on,
                achieved_latest,
                span_precision(achieved_on, achieved_latest) if achieved_on else "",
                verdict or "",
                slip,
                slip_max,
                format_span(last_claim_from, last_claim_on),
                last_claim_from,
                last_claim_on,
                as_of,
                f"{url}{pk}/",
            )

    return csv_response(filename, CSV_HEADER, rows(), plain=True)


@require_safe
@cache_public_page
def timeline(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form, milestones = filtered_milestones(request, context)
    if wants_csv(request):
        return milestone_csv(request, milestones, context["as_of"], "timeline.csv")
    count = add_facets(form, context)
    page = paginate(
        request,
        milestones.with_claims(Claim.objects.for_status()),
        context,
        per_page=TIMELINE_ROWS,
        count=count,
    )
    items = [(m, derive_status(m.claims.all(), context["as_of"])) for m in page.object_list]
    context.update(
        page=page,
        chart=timeline_chart(items, context["as_of"], title="Solid-state battery milestones"),
        last_changed=last_changed(page.object_list),
    )
    return render_page(request, "claims/timeline.html", context)


@require_safe
@cache_public_page
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=pk)
    claims = visible(milestone.claims.all(), as_of)
    result = derive_status(claims, as_of)
    evidence = [c for c in claims if c.kind == Claim.Kind.ACHIEVEMENT]
    context.update(
        milestone=milestone,
        result=result,
        claims=claims,
        structured_data=structured_data.milestone_claims(request, milestone, claims),
        chart=revisions_chart(result),
        evidence=max(evidence, key=lambda c: c.evidence, default=None),
        last_changed=max([milestone.updated_at, *(c.updated_at for c in claims)]),
    )
    return render_page(request, "claims/milestone_detail.html", context)
