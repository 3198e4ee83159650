"""Facilities: the filterable index, the world map, and each facility's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from claims.filters import FacilityFilterForm
from claims.models import Claim, Facility, Milestone
from claims.read import AsOf
from claims.read.facilities import Facilities, map_context
from claims.views.common import (
    csv_response,
    last_changed,
    page_context,
    paginate,
    public_page,
    render_page,
    wants_csv,
)

CSV_HEADER = [
    "slug",
    "name",
    "company",
    "company_name",
    "kind",
    "status",
    "country",
    "province",
    "city",
    "latitude",
    "longitude",
    "location_accuracy",
    "technology",
    "capacity_value",
    "capacity_unit",
    "capacity_gwh_per_year",
    "as_of",
    "url",
]


def _read(request: HttpRequest) -> tuple[dict, Facilities]:
    """The page's context (its day, its filter form and their messages) and its read."""
    form = FacilityFilterForm(request.GET)
    context = page_context(request, form)
    return context, Facilities(context["as_of"], form.filters())


@public_page
def facility_list(request: HttpRequest) -> HttpResponse:
    context, read = _read(request)
    if wants_csv(request):
        return csv_response("facilities.csv", CSV_HEADER, _csv_rows(request, read))
    page = paginate(request, read.facilities(), context, count=read.count())
    context.update(page=page, facets=read.facets())
    return render_page(request, "claims/facility_list.html", context)


def _csv_rows(request: HttpRequest, read: Facilities):
    for f in read.export():
        yield [
            f.slug,
            f.name,
            f.company.slug,
            f.company.name,
            f.kind,
            f.status,
            f.country.code,
            f.province,
            f.city,
            f.latitude,
            f.longitude,
            f.location_accuracy,
            f.technology.slug if f.technology else "",
            f.capacity_value,
            f.capacity_unit,
            f.capacity_gwh,
            read.day,
            request.build_absolute_uri(f.get_absolute_url()),
        ]


@public_page
def facility_map(request: HttpRequest) -> HttpResponse:
    context, read = _read(request)
    context.update(
        facets=read.facets(),
        **map_context(read.marks, key=repr(read.filters)),
        page=paginate(request, read.mapped(), context, per_page=100, count=read.mapped_count()),
    )
    return render_page(request, "claims/facility_map.html", context)


@public_page
def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = page_context(request)
    facility = get_object_or_404(
        Facility.objects.select_related("company", "technology", "source__via"), slug=slug
    )
    rows = AsOf(context["as_of"]).histories(
        facility.milestones.with_claims(Claim.objects.for_status())
    )
    context.update(
        facility=facility,
        phases=[r for r in rows if r.milestone.kind == Milestone.Kind.CAPACITY_PHASE],
        rows=[r for r in rows if r.milestone.kind != Milestone.Kind.CAPACITY_PHASE],
        last_changed=last_changed([r.milestone for r in rows], facility),
    )
    return render_page(request, "claims/facility_detail.html", context)
