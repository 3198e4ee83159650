"""Sources: the list by publisher, kind and date, and the claims each supports."""

from __future__ import annotations

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from claims.filters import SourceFilterForm
from claims.models import Source
from claims.views.common import (
    csv_response,
    page_context,
    paginate,
    public_page,
    render_page,
    wants_csv,
)


@public_page
def source_list(request: HttpRequest) -> HttpResponse:
    form = SourceFilterForm(request.GET)
    context = page_context(request, form)
    base = Source.objects.published_by(context["as_of"])
    sources = form.sorted(form.filtered(base)).with_claim_counts().select_related("via")
    if wants_csv(request):
        return csv_response("sources.csv", CSV_HEADER, _csv_rows(request, sources))
    context.update(
        page=paginate(request, sources, context),
        facets={
            "kind": form.facet(base, "kind", "kind", label=lambda v: Source.Kind(v).label),
            "publisher": form.facet(base, "publisher", "publisher")[:15],
        },
        last_changed=sources.aggregate(x=Max("updated_at"))["x"],
    )
    return render_page(request, "claims/source_list.html", context)


CSV_HEADER = [
    "id",
    "url",
    "title",
    "publisher",
    "kind",
    "published",
    "published_from",
    "published_to",
    "published_precision",
    "language",
    "via_id",
    "via_url",
    "archive_url",
    "accessed_on",
    "claims",
    "page",
]


def _csv_rows(request: HttpRequest, sources):
    for s in sources:
        yield [
            s.pk,
            s.url,
            s.title,
            s.publisher,
            s.kind,
            s.published_label,
            s.published_on,
            s.published_on_latest,
            s.published_on_precision,
            s.language,
            s.via_id,
            s.via.url if s.via else "",
            s.archive_url,
            s.accessed_on,
            s.claim_count,
            request.build_absolute_uri(s.get_absolute_url()),
        ]


@public_page
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = page_context(request)
    source = get_object_or_404(Source.objects.select_related("via"), pk=pk)
    claims = source.claims.select_related("milestone__company", "source__via").order_by(
        "stated_on_latest", "stated_on", "id"
    )
    context.update(
        source=source,
        claims=claims.stated_by(context["as_of"]),
        reported=source.reported.all(),
        last_changed=max(
            filter(None, [source.updated_at, claims.aggregate(x=Max("updated_at"))["x"]])
        ),
    )
    return render_page(request, "claims/source_detail.html", context)
