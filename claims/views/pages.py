"""The dashboard, the methodology, and the health check."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims.cache import remember
from claims.models import Claim, format_date
from claims.periods import format_period, parse_period
from claims.read import AsOf
from claims.status import STALE_AFTER_MONTHS, Status, add_months
from claims.views.common import page_context, public_page

DASHBOARD_ROWS = 12


@public_page
def home(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    read = AsOf(as_of)
    context.update(
        due_soon=read.due_soon(DASHBOARD_ROWS),
        achieved=read.recently_achieved(DASHBOARD_ROWS),
        overdue=read.overdue(DASHBOARD_ROWS),
        revisions=recent_revisions(as_of),
        pivot=read.pivot(),
        statuses=list(Status),
        year_ahead=add_months(as_of, 12),
        last_changed=remember(
            "last-changed",
            (as_of,),
            lambda: Claim.objects.stated_by(as_of).aggregate(x=Max("updated_at"))["x"],
        ),
    )
    return render(request, "claims/home.html", context)


def recent_revisions(as_of, limit: int = DASHBOARD_ROWS) -> list[dict]:
    """The newest restated targets with the target they replaced: slips and pull-ins."""
    previous = (
        Claim.objects.filter(
            milestone=OuterRef("milestone"),
            kind__in=Claim.TARGET_KINDS,
            standing__in=Claim.PARTY_STANDINGS,
            stated_on_latest__lte=as_of,
        )
        .exclude(target_precision="none")
        .filter(
            Q(stated_on_latest__lt=OuterRef("stated_on_latest"))
            | Q(stated_on_latest=OuterRef("stated_on_latest"), id__lt=OuterRef("id"))
        )
        .order_by("-stated_on_latest", "-id")
    )
    revisions = (
        Claim.objects.stated_by(as_of)
        .filter(kind=Claim.Kind.REVISION, standing__in=Claim.PARTY_STANDINGS)
        .exclude(target_precision="none")
        .order_by("-stated_on_latest", "-id")
    )
    with_previous = (
        revisions.annotate(
            previous_latest=Subquery(previous.values("target_latest")[:1]),
            previous_earliest=Subquery(previous.values("target_earliest")[:1]),
            previous_precision=Subquery(previous.values("target_precision")[:1]),
        )
        .filter(previous_precision__isnull=False)
        .select_related("milestone__company", "source")
    )
    # Nearly every revision follows an earlier target: look for them among the newest
    # revisions only, rather than finding the earlier target of each one.
    batch = limit * 5
    candidates = list(revisions.values_list("pk", flat=True)[:batch])
    claims = list(with_previous.filter(pk__in=candidates)[:limit])
    if len(claims) < limit and len(candidates) == batch:
        claims = list(with_previous[:limit])
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


#: Target texts the methodology page reads for its readers; the FY example is a company's
#: whose fiscal year starts in April, stated on the day given.
METHODOLOGY_EXAMPLES = [
    "by December 2025",
    "H2 2026",
    "Q3 2026",
    "2027",
    "2027–28",
    "FY2028",
    "2027年底",
    "2026年下半年",
    "between 2027 and 2030",
    "as early as 2027",
    "next year",
    "mid-2020s",
    "2030s",
    "after 2030",
    "not stated",
]
METHODOLOGY_STATED_ON = date(2025, 9, 2)


@public_page
def methodology(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    context.update(
        examples=[
            parse_period(text, stated_on=METHODOLOGY_STATED_ON, fiscal_year_start=4)
            for text in METHODOLOGY_EXAMPLES
        ],
        examples_stated_on=METHODOLOGY_STATED_ON,
        evidence_levels=Claim.Evidence.choices,
        claim_kinds=Claim.Kind.choices,
        stale_months=STALE_AFTER_MONTHS,
        statuses=list(Status),
        format_date=format_date,
    )
    return render(request, "claims/methodology.html", context)


def _database_state() -> tuple[str, str]:
    """("ok" or "unreachable", "ok" or how many migrations are unapplied)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:  # noqa: BLE001 - any database failure means it cannot serve
        return "unreachable", "unknown"
    return "ok", f"{len(plan)} unapplied" if plan else "ok"


def _cache_state() -> str:
    """Whether every configured cache stores and returns a value."""
    token = secrets.token_hex(4)
    for alias in settings.CACHES:
        store = caches[alias]
        try:
            store.set("healthz", token, 30)
            if store.get("healthz") != token:
                return "unreachable"
        except Exception:  # noqa: BLE001 - a cache that fails is reported, never raised
            return "unreachable"
    return "ok"


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The database, its migrations and the cache, each reported.

    503 when the site cannot serve: the database does not answer, or migrations are not
    applied. A cache that does not answer is reported, with a 200: pages are served uncached.
    """
    database, migrations = _database_state()
    serving = database == "ok" and migrations == "ok"
    body = {
        "status": "ok" if serving else "error",
        "database": database,
        "migrations": migrations,
        "cache": _cache_state(),
    }
    return JsonResponse(body, status=200 if serving else 503)
