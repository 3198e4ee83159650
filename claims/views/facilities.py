"""A facility: where it is, what it is planned to make, and its phases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from claims.cache import cache_public_page
from claims.models import Claim, Facility, Milestone
from claims.read import AsOf
from claims.views.common import last_changed, page_context, render_page


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
