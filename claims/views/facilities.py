"""Facilities: the filterable index, the world map, and each facility's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from claims.cache import cache_public_page
from claims.filters import FacilityFilterForm
from claims.models import Claim, Facility, Milestone
from claims.models.base import format_quantity
from claims.read import AsOf
from claims.read.facilities import Facilities, map_context
from claims.views.common import (
    csv_response,
    last_changed,
    page_context,
    paginate,
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


def _read(request: HttpRequest, context: dict) -> tuple[FacilityFilterForm, Facilities]:
    form = FacilityFilterForm(request.GET)
    context["messages_list"] += form.messages
    return form, Facilities(context["as_of"], form.filters())


@require_safe
@cache_public_page
def facility_list(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form, read = _read(request, context)
    if wants_csv(request):
        return csv_response("facilities.csv", CSV_HEADER, _csv_rows(request, read))
    page = paginate(request, read.facilities(), context, count=read.count())
    for facility in page.object_list:
        facility.gwh = format_quantity(facility.capacity_gwh, "")
    context.update(form=form, page=page, facets=read.facets())
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


@require_safe
@cache_public_page
def facility_map(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form, read = _read(request, context)
    context.update(
        form=form,
        facets=read.facets(),
        **map_context(read.marks, key=repr(read.filters)),
        page=paginate(request, read.mapped(), context, per_page=100, count=read.mapped_count()),
    )
    return render_page(request, "claims/facility_map.html", context)


@require_safe
@cache_public_page
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
