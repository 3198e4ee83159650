"""What every public view shares: the as-of date, messages, htmx partials, CSV, pagination."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from claims.filters import read_as_of

PAGE_SIZE = 50


def page_context(request: HttpRequest) -> dict:
    """as_of (today unless ?as_of= names a past day), and any messages about parameters."""
    as_of, is_past, messages = read_as_of(request)
    return {
        "as_of": as_of,
        "is_past": is_past,
        "as_of_query": f"?as_of={as_of.isoformat()}" if is_past else "",
        "messages_list": messages,
    }


def render_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or only its #results partial when htmx asks for it."""
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request: HttpRequest, items, context: dict, per_page: int = PAGE_SIZE) -> Page:
    """The requested page; a page number out of range shows the nearest page with a note."""
    paginator = Paginator(items, per_page)
    raw = request.GET.get("page", "1")
    page = paginator.get_page(raw)
    if raw != "1" and str(page.number) != raw:
        context["messages_list"].append(
            f"There is no page {raw[:20]!s}; showing page {page.number} of {paginator.num_pages}."
        )
    return page


def last_changed(milestones, *others) -> datetime | None:
    """When the facts shown last changed: these milestones, their claims, and other rows."""
    from claims.models import Claim

    milestones = list(milestones)
    claims = Claim.objects.filter(milestone__in=[m.pk for m in milestones])
    stamps = [m.updated_at for m in milestones] + [getattr(o, "updated_at", None) for o in others]
    stamps.append(claims.aggregate(latest=Max("updated_at"))["latest"] if milestones else None)
    return max(filter(None, stamps), default=None)


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A streamed UTF-8 CSV download with a header row and ISO dates."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
