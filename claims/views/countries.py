"""Countries: a comparison of all of them, and one country's page."""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_countries import countries

from claims.cache import cache_public_page
from claims.filters import MilestoneFilterForm, country_name
from claims.models import Company, Facility, Milestone
from claims.status import Status, TrackRecord
from claims.views.common import csv_response, page_context, track_records, wants_csv
from claims.views.milestones import DueFirst, facets_and_total, with_results
from claims.views.pages import country_status_pivot

#: Milestones a country's page lists, due first (the milestone list, filtered, has them all).
COUNTRY_MILESTONES = 50

CSV_HEADER = [
    "country",
    "name",
    "companies",
    *[s.value for s in Status],
    "achieved_on_time",
    "achieved_late",
    "achieved_cant_tell",
    "median_slip_months",
    "as_of",
]


@require_safe
@cache_public_page
def country_list(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    pivot = {row["code"]: row for row in country_status_pivot(as_of)}
    records = track_records(as_of, by="country")
    company_counts = Company.objects.order_by().values("country").annotate(n=Count("pk"))
    rows = sorted(
        (
            {
                "code": row["country"],
                "name": country_name(row["country"]),
                "companies": row["n"],
                "counts": pivot.get(row["country"], {}).get("counts", [0] * len(Status)),
                "record": records.get(row["country"], TrackRecord()),
            }
            for row in company_counts
        ),
        key=lambda r: (-r["companies"], r["name"]),
    )
    if wants_csv(request):
        return csv_response(
            "countries.csv",
            CSV_HEADER,
            (
                [
                    r["code"],
                    r["name"],
                    r["companies"],
                    *r["counts"],
                    r["record"].on_time,
                    r["record"].late,
                    r["record"].cant_tell,
                    r["record"].median_slip_months,
                    as_of,
                ]
                for r in rows
            ),
        )
    context.update(
        rows=rows,
        statuses=list(Status),
        last_changed=Company.objects.aggregate(x=Max("updated_at"))["x"],
    )
    return render(request, "claims/country_list.html", context)


@require_safe
@cache_public_page
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    if code not in countries:
        raise Http404("No such country code.")
    context = page_context(request)
    as_of = context["as_of"]
    # The milestones due first, read along the claims index; the milestone list has them all.
    form = MilestoneFilterForm(QueryDict(f"country={code}"))
    milestones = (
        Milestone.objects.with_status(as_of)
        .stated_by(as_of)
        .in_countries([code])
        .select_related("company", "facility")
    )
    due_first = DueFirst(milestones, form, as_of)[0:COUNTRY_MILESTONES]
    companies = Company.objects.in_countries([code]).prefetch_related("technologies")
    records = track_records(as_of, by="country")
    context.update(
        code=code,
        name=country_name(code),
        companies=companies,
        company_records=track_records(as_of, by="company_id"),
        record=records.get(code, TrackRecord()),
        rows=with_results(due_first, as_of),
        milestone_count=facets_and_total(form, as_of)[1] if form.is_valid() else 0,
        facilities=Facility.objects.filter(country=code).select_related("company"),
        last_changed=companies.aggregate(x=Max("updated_at"))["x"],
    )
    return render(request, "claims/country_detail.html", context)
