"""The dashboard, the methodology, and the health check."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.filters import country_name
from claims.models import Claim, Milestone, format_date
from claims.periods import format_period, parse_period
from claims.status import STALE_AFTER_MONTHS, Status, add_months
from claims.views.common import page_context
from claims.views.milestones import with_results

DASHBOARD_ROWS = 12


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    milestones = Milestone.objects.with_status(as_of).stated_by(as_of).select_related("company")
    year_ahead = add_months(as_of, 12)
    context.update(
        due_soon=with_results(
            milestones.filter(
                status__in=[Status.ON_TRACK, Status.DELAYED],
                current_target_latest__gte=as_of,
                current_target_latest__lte=year_ahead,
            ).order_by("current_target_latest", "company__name")[:DASHBOARD_ROWS],
            as_of,
        ),
        achieved=with_results(
            milestones.filter(status=Status.ACHIEVED).order_by("-achieved_on", "title")[
                :DASHBOARD_ROWS
            ],
            as_of,
        ),
        overdue=with_results(
            milestones.filter(status=Status.OVERDUE).order_by("-current_target_latest", "title")[
                :DASHBOARD_ROWS
            ],
            as_of,
        ),
        revisions=recent_revisions(as_of),
        pivot=country_status_pivot(milestones),
        statuses=list(Status),
        year_ahead=year_ahead,
        last_changed=Claim.objects.stated_by(as_of).aggregate(x=Max("updated_at"))["x"],
    )
    return render(request, "claims/home.html", context)


def recent_revisions(as_of, limit: int = DASHBOARD_ROWS) -> list[dict]:
    """The newest restated targets with the target they replaced: slips and pull-ins."""
    previous = (
        Claim.objects.filter(
            milestone=OuterRef("milestone"),
            kind__in=Claim.TARGET_KINDS,
            stated_on__lte=as_of,
        )
        .exclude(target_precision="none")
        .filter(
            Q(stated_on__lt=OuterRef("stated_on"))
            | Q(stated_on=OuterRef("stated_on"), id__lt=OuterRef("id"))
        )
        .order_by("-stated_on", "-id")
    )
    claims = (
        Claim.objects.stated_by(as_of)
        .filter(kind=Claim.Kind.REVISION)
        .exclude(target_precision="none")
        .annotate(
            previous_latest=Subquery(previous.values("target_latest")[:1]),
            previous_earliest=Subquery(previous.values("target_earliest")[:1]),
            previous_precision=Subquery(previous.values("target_precision")[:1]),
        )
        .filter(previous_precision__isnull=False)
        .select_related("milestone__company", "source")
        .order_by("-stated_on", "-id")[:limit]
    )
    rows = []
    for claim in claims:
        before = claim.previous_latest
        after = claim.target_latest
        if before == after:
            direction = "same"
        elif after is None or (before is not None and after > before):
            direction = "later"
        else:
            direction = "earlier"
        rows.append(
            {
                "claim": claim,
                "previous": format_period(
                    claim.previous_earliest, before, claim.previous_precision
                ),
                "direction": direction,
            }
        )
    return rows


def country_status_pivot(milestones) -> list[dict]:
    counts = defaultdict(dict)
    for row in milestones.order_by().values("company__country", "status").annotate(n=Count("pk")):
        counts[row["company__country"]][row["status"]] = row["n"]
    rows = [
        {
            "code": code,
            "name": country_name(code),
            "counts": [by_status.get(s.value, 0) for s in Status],
            "total": sum(by_status.values()),
        }
        for code, by_status in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["total"], r["name"]))


METHODOLOGY_EXAMPLES = [
    "by December 2025",
    "H2 2026",
    "Q3 2026",
    "2027",
    "2027–28",
    "FY2028",
    "mid-2020s",
    "2030s",
    "after 2030",
    "not stated",
]


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    context.update(
        examples=[parse_period(text) for text in METHODOLOGY_EXAMPLES],
        evidence_levels=Claim.Evidence.choices,
        claim_kinds=Claim.Kind.choices,
        stale_months=STALE_AFTER_MONTHS,
        statuses=list(Status),
        format_date=format_date,
    )
    return render(request, "claims/methodology.html", context)


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
