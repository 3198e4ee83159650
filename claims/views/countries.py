"""Countries: a comparison of all of them, and one country's page."""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_countries import countries

from claims.models import Company, Facility
from claims.read import AsOf, MilestoneFilters
from claims.read.facilities import Facilities, FacilityFilters, map_context
from claims.read.filters import country_name
from claims.read.scorecards import scorecard_context
from claims.status import Status, TrackRecord
from claims.views.common import csv_response, page_context, public_page, wants_csv

#: Milestones a country's page lists, due first (the milestone list, filtered, has them all).
COUNTRY_MILESTONES = 50


@public_page
def country_list(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    read = AsOf(as_of)
    pivot = {row["code"]: row for row in read.pivot()}
    records = read.track_records(by="country")
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
        return csv_response("countries.csv", CSV_HEADER, _csv_rows(rows, as_of))
    context.update(
        rows=rows,
        statuses=list(Status),
        last_changed=Company.objects.aggregate(x=Max("updated_at"))["x"],
    )
    return render(request, "claims/country_list.html", context)


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


def _csv_rows(rows: list[dict], as_of):
    for r in rows:
        record = r["record"]
        yield [
            r["code"],
            r["name"],
            r["companies"],
            *r["counts"],
            record.on_time,
            record.late,
            record.cant_tell,
            record.median_slip_months,
            as_of,
        ]


@public_page
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    if code not in countries:
        raise Http404("No such country code.")
    context = page_context(request)
    as_of = context["as_of"]
    # The milestones due first; the milestone list, filtered, has them all.
    read = AsOf(as_of, MilestoneFilters(country=(code,)))
    companies = Company.objects.in_countries([code]).prefetch_related("technologies")
    records = read.track_records(by="country")
    record = records.get(code, TrackRecord())
    context.update(
        code=code,
        name=country_name(code),
        companies=companies,
        company_records=read.track_records(by="company_id"),
        record=record,
        **scorecard_context(read, by="country", key=code, name=country_name(code), record=record),
        rows=read.rows()[0:COUNTRY_MILESTONES],
        milestone_count=read.count(),
        facilities=Facility.objects.filter(country=code).select_related("company"),
        **map_context(
            Facilities(as_of, FacilityFilters(country=(code,))).marks(), key=f"country:{code}"
        ),
        last_changed=companies.aggregate(x=Max("updated_at"))["x"],
    )
    return render(request, "claims/country_detail.html", context)
