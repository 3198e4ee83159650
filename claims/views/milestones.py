"""Milestones: the filterable list, the one-axis timeline, and each milestone's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from claims import structured_data
from claims.charts import revisions_chart, timeline_chart
from claims.filters import MilestoneFilterForm
from claims.models import Claim, Milestone
from claims.read import AsOf
from claims.read.asof import METRIC_FIELDS
from claims.status import visible
from claims.views.common import (
    PAGE_SIZE,
    csv_response,
    last_changed,
    page_context,
    paginate,
    public_page,
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
    *METRIC_FIELDS,
    "as_of",
    "url",
]


@public_page
def milestone_list(request: HttpRequest) -> HttpResponse:
    return milestones_page(request, "claims/milestone_list.html", "milestones.csv")


@public_page
def timeline(request: HttpRequest) -> HttpResponse:
    return milestones_page(request, "claims/timeline.html", "timeline.csv", timeline=True)


def milestones_page(
    request: HttpRequest, template: str, filename: str, *, timeline: bool = False
) -> HttpResponse:
    """A page of the milestones the filters find, with their facets, or all of them as CSV;
    the timeline draws its page of them on one axis."""
    form = MilestoneFilterForm(request.GET)
    context = page_context(request, form)
    read = AsOf(context["as_of"], form.filters())
    if wants_csv(request):
        return milestone_csv(request, read, filename)
    facets, count = read.facets_and_count()
    facets = {**facets, "year": sorted(facets["year"], key=lambda f: f["value"])}
    facets["company"] = facets["company"][:COMPANY_FACETS]
    rows = read.rows(with_claims=timeline)
    per_page = TIMELINE_ROWS if timeline else PAGE_SIZE
    page = paginate(request, rows, context, per_page=per_page, count=count)
    context.update(
        facets=facets,
        page=page,
        rows=page.object_list,
        last_changed=last_changed(r.milestone for r in page.object_list),
    )
    if timeline:
        items = [(r.milestone, r.result) for r in page.object_list]
        context["chart"] = timeline_chart(items, read.day, title="Solid-state battery milestones")
    return render_page(request, template, context)


def milestone_csv(request: HttpRequest, read: AsOf, filename: str) -> HttpResponse:
    """Every milestone of the list, with the status the list shows, streamed."""
    # One URL reversed, not one per row.
    url = request.build_absolute_uri(reverse("claims:milestone_detail", args=[0]))[:-2]
    return csv_response(filename, CSV_HEADER, milestone_csv_rows(read, url), plain=True)


def milestone_csv_rows(read: AsOf, url: str):
    """The CSV_HEADER columns of every milestone `read` finds; `url` is the milestone pages'
    address up to their id."""
    for m, result in read.export():
        first, current = result.first_target, result.current_target
        yield (
            m["pk"],
            m["slug"],
            m["company__name"],
            m["company__slug"],
            m["country"],
            m["facility__name"],
            m["kind"],
            m["title"],
            result.status.value,
            result.stale,
            first.label if first else "",
            first.latest if first else None,
            current.text if current else "",
            current.label if current else "",
            current.earliest if current else None,
            current.latest if current else None,
            result.achieved_text,
            result.achieved_on,
            result.achieved_latest,
            result.achieved_precision or "",
            result.verdict or "",
            result.slip_months,
            result.slip_months_max,
            result.last_claim_text,
            result.last_claim_from,
            result.last_claim_on,
            *(m[name] for name in METRIC_FIELDS),
            read.day,
            f"{url}{m['pk']}/",
        )


@public_page
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=pk)
    claims = visible(milestone.claims.all(), as_of)
    result = AsOf(as_of).history(milestone)
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
