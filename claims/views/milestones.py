"""Milestones: the filterable list, the one-axis timeline, and each milestone's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from claims import structured_data
from claims.charts import revisions_chart, timeline_chart
from claims.filters import MilestoneFilterForm, country_name
from claims.models import Claim, Milestone
from claims.status import Status, derive_status, status_from_annotations
from claims.views.common import (
    csv_response,
    last_changed,
    page_context,
    paginate,
    render_page,
    wants_csv,
)

TIMELINE_ROWS = 60
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
    "achieved_on",
    "on_time",
    "slip_months",
    "last_claim_on",
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
    context["facets"] = {
        "country": form.facet(base, "country", "company__country", label=country_name),
        "status": form.facet(base, "status", "status", label=lambda v: Status(v).label),
        "kind": form.facet(base, "kind", "kind", label=lambda v: Milestone.Kind(v).label),
        "year": form.facet(base, "year", "target_year"),
        "company": form.facet(base, "company", "company__slug", label_field="company__name"),
    }
    context["facets"]["year"].sort(key=lambda f: f["value"])
    return form, milestones


def with_results(milestones, as_of) -> list[dict]:
    return [{"milestone": m, "result": status_from_annotations(m, as_of)} for m in milestones]


@require_GET
def milestone_list(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form, milestones = filtered_milestones(request, context)
    if wants_csv(request):
        return milestone_csv(request, milestones, context["as_of"], "milestones.csv")
    page = paginate(request, milestones, context)
    context.update(
        page=page,
        rows=with_results(page.object_list, context["as_of"]),
        last_changed=last_changed(page.object_list),
    )
    return render_page(request, "claims/milestone_list.html", context)


def milestone_csv(request, milestones, as_of, filename: str) -> HttpResponse:
    def rows():
        for m in milestones.iterator(chunk_size=2000):
            r = status_from_annotations(m, as_of)
            yield [
                m.pk,
                m.slug,
                m.company.name,
                m.company.slug,
                m.company.country.code,
                m.facility.name if m.facility else "",
                m.kind,
                m.title,
                r.status.value,
                r.stale,
                r.first_target.label if r.first_target else "",
                r.first_target.latest if r.first_target else None,
                r.current_target.text if r.current_target else "",
                r.current_target.label if r.current_target else "",
                r.current_target.earliest if r.current_target else None,
                r.current_target.latest if r.current_target else None,
                r.achieved_on,
                "" if r.on_time is None else r.on_time,
                r.slip_months,
                r.last_claim_on,
                as_of,
                request.build_absolute_uri(m.get_absolute_url()),
            ]

    return csv_response(filename, CSV_HEADER, rows())


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form, milestones = filtered_milestones(request, context)
    if wants_csv(request):
        return milestone_csv(request, milestones, context["as_of"], "timeline.csv")
    page = paginate(request, milestones.with_claims(), context, per_page=TIMELINE_ROWS)
    items = [(m, derive_status(m.claims.all(), context["as_of"])) for m in page.object_list]
    context.update(
        page=page,
        chart=timeline_chart(items, context["as_of"], title="Solid-state battery milestones"),
        last_changed=last_changed(page.object_list),
    )
    return render_page(request, "claims/timeline.html", context)


@require_GET
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=pk)
    claims = [c for c in milestone.claims.all() if c.stated_on <= as_of]
    result = derive_status(claims, as_of)
    evidence = [c for c in claims if c.kind == Claim.Kind.ACHIEVEMENT]
    context.update(
        milestone=milestone,
        result=result,
        claims=claims,
        structured_data=structured_data.milestone_claims(request, milestone, claims),
        chart=revisions_chart(result),
        evidence=max(evidence, key=lambda c: c.evidence, default=None),
        last_changed=max([milestone.updated_at, *(c.updated_at for c in milestone.claims.all())]),
    )
    return render_page(request, "claims/milestone_detail.html", context)
