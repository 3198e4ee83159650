"""Companies: the filterable list and each company's page."""

from __future__ import annotations

from django.db.models import Max
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

from claims import structured_data
from claims.charts import timeline_chart
from claims.filters import CompanyFilterForm
from claims.models import Claim, Company, CompanyRelation, Milestone, Source
from claims.read import AsOf
from claims.read.facilities import Facilities, FacilityFilters, map_context
from claims.read.filters import country_name
from claims.read.scorecards import scorecard_context
from claims.status import TrackRecord, track_record, visible
from claims.views.common import (
    TALLY_COLUMNS,
    csv_response,
    page_context,
    paginate,
    public_page,
    render_page,
    section_page,
    wants_csv,
)

EMPTY_RECORD = TrackRecord()
SORT_KEYS = {
    "name": lambda row: row["company"].name.lower(),
    "record": lambda row: (-row["record"].on_time, row["record"].overdue, row["company"].name),
    "overdue": lambda row: (-row["record"].overdue, row["company"].name),
}


@public_page
def company_list(request: HttpRequest) -> HttpResponse:
    form = CompanyFilterForm(request.GET)
    context = page_context(request, form)
    as_of = context["as_of"]
    companies = form.filtered(Company.objects.all())
    records = AsOf(as_of).track_records(by="company_id")
    sort = form.value("sort") or "name"
    if sort == "name" and not wants_csv(request):
        # In name order the database pages through the companies: only one page is read.
        page = paginate(
            request,
            companies.order_by(Lower("name"), "pk").prefetch_related("technologies"),
            context,
        )
        page.object_list = [
            {"company": c, "record": records.get(c.pk, EMPTY_RECORD)} for c in page.object_list
        ]
    else:
        rows = [
            {"company": c, "record": records.get(c.pk, EMPTY_RECORD)}
            for c in companies.prefetch_related("technologies")
        ]
        rows.sort(key=SORT_KEYS[sort])
        if wants_csv(request):
            return csv_response("companies.csv", CSV_HEADER, _csv_rows(request, rows, as_of))
        page = paginate(request, rows, context)
    base = Company.objects.all()
    context.update(
        page=page,
        total=page.paginator.count,
        facets={
            "country": form.facet(base, "country", "country", label=country_name),
            "role": form.facet(base, "role", "role", label=_role_label),
            "technology": form.facet(
                base, "technology", "technologies__slug", label_field="technologies__name"
            ),
        },
        last_changed=companies.aggregate(latest=Max("updated_at"))["latest"],
    )
    return render_page(request, "claims/company_list.html", context)


def _role_label(value: str) -> str:
    return Company.Role(value).label


CSV_HEADER = [
    "slug",
    "name",
    "native_name",
    "country",
    "role",
    "technologies",
    "hq_city",
    "website",
    "tickers",
    "milestones",
    *TALLY_COLUMNS,
    "median_slip_months",
    "as_of",
    "url",
]


def _csv_rows(request, rows, as_of):
    for row in rows:
        c, r = row["company"], row["record"]
        yield [
            c.slug,
            c.name,
            c.native_name,
            c.country.code,
            c.role,
            "; ".join(t.slug for t in c.technologies.all()),
            c.hq_city,
            c.website,
            c.tickers,
            r.total,
            *r.tallies,
            r.median_slip_months,
            as_of,
            request.build_absolute_uri(c.get_absolute_url()),
        ]


@public_page
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = page_context(request)
    as_of = context["as_of"]
    company = get_object_or_404(Company.objects.prefetch_related("technologies"), slug=slug)
    # Its own milestones and those that name it as a partner (shown, not in its record).
    milestones = Milestone.objects.involving(company).with_claims(Claim.objects.for_company_page())
    milestones = milestones.select_related(None).select_related("company", "facility")
    read = AsOf(as_of)
    rows = read.histories(milestones)
    claims_page, sources_page, claims_changed = claim_sections(request, rows, as_of)
    record = track_record(r.result for r in rows if r.milestone.company_id == company.pk)
    context.update(
        company=company,
        structured_data=structured_data.organization(request, company),
        rows=rows,
        record=record,
        **scorecard_context(
            read, by="company", key=str(company.pk), name=company.name, record=record
        ),
        # Drawn only when the rendered chart is not cached (see the template).
        chart=SimpleLazyObject(
            lambda: timeline_chart(
                [(r.milestone, r.result) for r in rows],
                as_of,
                title=f"{company.name}: milestones over time",
            )
        ),
        facilities=company.facilities.all(),
        **map_context(
            Facilities(as_of, FacilityFilters(company=company.slug)).marks(),
            key=f"company:{company.slug}",
        ),
        relations=CompanyRelation.objects.involving(company).for_profile(),
        claims_page=claims_page,
        sources_page=sources_page,
        last_changed=max(filter(None, [company.updated_at, claims_changed])),
    )
    return render_page(request, "claims/company_detail.html", context)


def claim_sections(request: HttpRequest, rows: list, as_of):
    """(claims page, sources page, when a claim last changed) for a company page.

    The claims are those the rows' statuses were derived from (claims.status.visible), read
    once for both; a page of each at a time (an average company at scale has some 130
    claims), and only the page shown fetches its sources.
    """
    claims = sorted(
        (c for r in rows for c in visible(r.milestone.claims.all(), as_of)),
        key=lambda c: (c.stated_on_latest, c.stated_on, c.pk),
        reverse=True,
    )
    claims_page = section_page(request, claims, "claims_page")

    def cite() -> list:
        shown = list(claims_page.object_list)
        cited = Source.objects.for_citation().in_bulk({c.source_id for c in shown})
        for claim in shown:
            claim.source = cited[claim.source_id]
        return shown

    # Their sources are read only when the rendered claims are not cached (see the template).
    claims_page.cited = SimpleLazyObject(cite)
    source_ids = {c.source_id for c in claims}
    sources = Source.objects.filter(pk__in=source_ids).for_citation()
    sources_page = section_page(request, sources, "sources_page", count=len(source_ids))
    changed = max((c.updated_at for c in claims), default=None)
    return claims_page, sources_page, changed
