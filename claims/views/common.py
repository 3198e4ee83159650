"""What every public view shares: the as-of date, messages, htmx partials, CSV, pagination."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from claims.cache import cache_public_page, remember
from claims.csvcells import neutralise
from claims.read import parse_as_of

if TYPE_CHECKING:
    from claims.filters import CompareForm, ListForm

PAGE_SIZE = 50


def requested_day(request: HttpRequest) -> tuple[date, list[str]]:
    """The day the page is asked for (?as_of=, today when absent, invalid or future), and a
    message when the parameter was not a date."""
    try:
        return parse_as_of(request.GET.get("as_of")), []
    except ValueError as error:
        return date.today(), [str(error)]


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page's view: GET and HEAD only, its responses cached (claims.cache)."""
    return require_safe(cache_public_page(view))


def page_context(request: HttpRequest, form: ListForm | CompareForm | None = None) -> dict:
    """as_of (today unless ?as_of= names a past day), the page's filter form if it has one,
    and any messages about parameters (the as-of date's, then the form's)."""
    as_of, messages = requested_day(request)
    is_past = as_of < date.today()
    context = {
        "as_of": as_of,
        "is_past": is_past,
        "as_of_query": f"?as_of={as_of.isoformat()}" if is_past else "",
        "messages_list": messages,
    }
    if form is not None:
        context.update(form=form, messages_list=messages + form.messages)
    return context


def render_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or only its #results partial when htmx asks for it."""
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    if context.get("is_past") and context.get("last_changed"):
        # As of a past day, facts change when claims become known, not when they are edited.
        context["last_changed"] = latest_known(context["as_of"])
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


class CountedPaginator(Paginator):
    """A paginator told how many items there are (e.g. from cached counts): no count query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginator(items, per_page: int, count: int | None = None) -> Paginator:
    """A paginator of the items; told how many there are when that is known (no count query)."""
    if count is None:
        return Paginator(items, per_page)
    return CountedPaginator(items, per_page, count=count)


def paginate(
    request: HttpRequest, items, context: dict, per_page: int = PAGE_SIZE, count: int | None = None
) -> Page:
    """The requested page; a page number out of range shows the nearest page with a note."""
    pages = paginator(items, per_page, count)
    raw = request.GET.get("page", "1")
    page = pages.get_page(raw)
    if raw != "1" and str(page.number) != raw:
        context["messages_list"].append(
            f"There is no page {raw[:20]!s}; showing page {page.number} of {pages.num_pages}."
        )
    return page


#: Claims and sources a company page lists at a time.
SECTION_SIZE = 20


def section_page(
    request: HttpRequest, items, param: str, *, count: int | None = None, per_page=SECTION_SIZE
):
    """One page of a section of a long page (e.g. a company's claims), chosen by `param`.

    `items` is a list, or a queryset with its `count` known. The page carries prev_url and
    next_url: the same URL with only `param` changed. A page number out of range shows the
    nearest page.
    """
    page = paginator(items, per_page, count).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    page.prev_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def latest_known(as_of: date) -> date | None:
    """The last day, up to as_of, on which a claim became known (its stated period ended)."""
    from claims.models import Claim

    return remember(
        "latest-known",
        (as_of,),
        lambda: Claim.objects.filter(stated_on_latest__lte=as_of).aggregate(
            latest=Max("stated_on_latest")
        )["latest"],
    )


def last_changed(milestones, *others) -> datetime | None:
    """When the facts shown last changed: these milestones, their claims, and other rows."""
    from claims.models import Claim

    milestones = list(milestones)
    # Per milestone, then the latest: reads the claims of these milestones by their index.
    claims = (
        Claim.objects.filter(milestone__in=[m.pk for m in milestones])
        .order_by()
        .values("milestone")
        .annotate(latest=Max("updated_at"))
        .values_list("latest", flat=True)
    )
    stamps = [m.updated_at for m in milestones] + [getattr(o, "updated_at", None) for o in others]
    stamps += list(claims) if milestones else []
    return max(filter(None, stamps), default=None)


#: A track record's counts (TrackRecord.tallies) as CSV columns, in the same order.
TALLY_COLUMNS = [
    "achieved_on_time",
    "achieved_late",
    "achieved_cant_tell",
    "achieved_undated",
    "overdue",
    "cancelled",
    "pending",
]


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


#: Rows sent to the client at a time: one write per row would cost a system call each.
CSV_ROWS_PER_CHUNK = 500


def csv_cell(value) -> str | int | float:
    """A value as a CSV cell: text neutralised (claims.csvcells), dates in ISO, numbers as
    numbers."""
    if isinstance(value, str):
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, plain: bool = False
) -> HttpResponse:
    """A streamed UTF-8 CSV download with a header row and ISO dates: every CSV the site
    writes. Text cells a spreadsheet would run as formulas are neutralised here.

    `plain` rows hold no datetimes (str() of a date is already ISO, of None empty), so only
    their text cells need converting.
    """

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralise(name) for name in header])
        for n, row in enumerate(rows, start=1):
            if plain:
                writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
            else:
                writer.writerow([csv_cell(v) for v in row])
            if n % CSV_ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
