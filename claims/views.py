"""Public pages. Every page takes ?as_of=YYYY-MM-DD and shows the tracker as it stood then."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_countries import countries

from claims.filters import CompanyFilterForm, read_as_of
from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source
from claims.status import derive_status, track_record


def _page_context(request: HttpRequest) -> dict:
    as_of, is_past, messages = read_as_of(request)
    return {"as_of": as_of, "is_past": is_past, "messages_list": messages}


def _rows(milestones, as_of: date) -> list[dict]:
    """Milestones that existed as of the date, each with its derived status."""
    rows = []
    for milestone in milestones:
        result = derive_status(milestone.claims.all(), as_of)
        if result.visible_claims:
            rows.append({"milestone": milestone, "result": result})
    return rows


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = _page_context(request)
    context["company_count"] = Company.objects.count()
    context["milestone_count"] = Milestone.objects.stated_by(context["as_of"]).count()
    context["source_count"] = Source.objects.filter(published_on__lte=context["as_of"]).count()
    return render(request, "claims/home.html", context)


@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    context = _page_context(request)
    form = CompanyFilterForm(request.GET)
    companies = form.filtered(Company.objects.prefetch_related("technologies"))
    country_facets = [
        {"code": row["country"], "name": countries.name(row["country"]), "n": row["n"]}
        for row in Company.objects.values("country").annotate(n=Count("id")).order_by("country")
    ]
    country_facets.sort(key=lambda f: (-f["n"], f["name"]))
    context.update(
        form=form,
        companies=companies,
        country_facets=country_facets,
        selected_countries=form.cleaned_data.get("country", []) if form.is_valid() else [],
        messages_list=context["messages_list"] + form.messages,
    )
    template = "claims/company_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


@require_GET
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = _page_context(request)
    as_of = context["as_of"]
    company = get_object_or_404(Company.objects.prefetch_related("technologies"), slug=slug)
    milestones = company.milestones.with_claims()
    rows = _rows(milestones, as_of)
    claims = (
        Claim.objects.for_company(company)
        .stated_by(as_of)
        .select_related("milestone", "source__via")
        .newest_first()
    )
    relations = CompanyRelation.objects.select_related("from_company", "to_company", "source")
    context.update(
        company=company,
        rows=rows,
        record=track_record(r["result"] for r in rows),
        facilities=company.facilities.select_related("technology"),
        relations_from=relations.filter(from_company=company),
        relations_to=relations.filter(to_company=company),
        claims=claims,
        sources=Source.objects.filter(claims__in=claims).distinct().select_related("via"),
        last_changed=claims.aggregate(latest=Max("updated_at"))["latest"],
    )
    return render(request, "claims/company_detail.html", context)


@require_GET
def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = _page_context(request)
    facility = get_object_or_404(
        Facility.objects.select_related("company", "technology", "source"), slug=slug
    )
    context.update(
        facility=facility,
        rows=_rows(facility.milestones.with_claims(), context["as_of"]),
    )
    return render(request, "claims/facility_detail.html", context)


@require_GET
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _page_context(request)
    as_of = context["as_of"]
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=pk)
    all_claims = list(milestone.claims.all())
    context.update(
        milestone=milestone,
        result=derive_status(all_claims, as_of),
        claims=[c for c in all_claims if c.stated_on <= as_of],
    )
    return render(request, "claims/milestone_detail.html", context)


@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _page_context(request)
    source = get_object_or_404(Source.objects.select_related("via"), pk=pk)
    claims = source.claims.select_related("milestone__company").order_by("stated_on", "id")
    context.update(
        source=source,
        claims=claims,
        reported=source.reported.all(),
    )
    return render(request, "claims/source_detail.html", context)


@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    context = _page_context(request)
    context["sources"] = (
        Source.objects.filter(published_on__lte=context["as_of"])
        .with_claim_counts()
        .select_related("via")
    )
    return render(request, "claims/source_list.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
