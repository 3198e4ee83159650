"""The read-only JSON API at /api/, with its OpenAPI schema and a docs page served locally.

Every list takes the same filters as the pages (validated by the same forms) and `as_of`;
a bad parameter is a 400 with a JSON body naming it. Lists are paginated with counts and
next/previous links, in a stable order.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from claims.cache import cache_public_page
from claims.dates import span_precision
from claims.filters import (
    AsOfForm,
    ClaimFilterForm,
    CompanyFilterForm,
    ListForm,
    MilestoneFilterForm,
    SourceFilterForm,
)
from claims.models import Claim, Company, Facility, Milestone, Source
from claims.status import MilestoneStatus, Target, achieved_label, status_from_annotations
from claims.views.milestones import facets_and_total

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

api = NinjaAPI(
    title="SSB Tracker API",
    version="1",
    description=(
        "Read-only data of SSB Tracker: solid-state battery companies, facilities, milestones, "
        "the dated claims behind them, and their sources. Milestones carry their derived status "
        "(see /methodology/). Every list takes `as_of=YYYY-MM-DD` to read the tracker as it "
        "stood that day, and `page`/`page_size` (at most 500)."
    ),
    urls_namespace="api",
)


class BadRequest(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


@api.exception_handler(BadRequest)
def bad_request(request: HttpRequest, exc: BadRequest):
    return api.create_response(
        request, {"detail": "Invalid query parameters.", "errors": exc.errors}, status=400
    )


@api.exception_handler(NinjaValidationError)
def invalid_parameters(request: HttpRequest, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        name = str(error.get("loc", ["", "?"])[-1])
        errors.setdefault(name, []).append(error.get("msg", "invalid"))
    return api.create_response(
        request, {"detail": "Invalid query parameters.", "errors": errors}, status=400
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": "Not found.", "errors": {}}, status=404)


# --- schemas --------------------------------------------------------------------------------


class CompanyRef(Schema):
    slug: str
    name: str
    country: str


class TargetOut(Schema):
    stated: str = Field(description="The target in the speaker's words.")
    label: str = Field(description='Normalised, compact: "Dec 2025", "H2 2026", "FY2028".')
    earliest: date | None
    latest: date | None = Field(description="When it falls due; null if open-ended.")
    precision: str


class CompanyOut(Schema):
    slug: str
    name: str
    native_name: str
    aliases: list[str]
    country: str
    role: str
    technologies: list[str]
    hq_city: str
    website: str
    tickers: list[str]
    description: str
    url: str


class FacilityOut(Schema):
    slug: str
    name: str
    company: CompanyRef
    kind: str
    status: str
    country: str
    province: str
    city: str
    district: str
    address: str
    latitude: float | None
    longitude: float | None
    location_accuracy: str
    technology: str | None
    cell_format: str
    capacity_value: float | None
    capacity_unit: str
    investment_amount: float | None
    investment_currency: str
    url: str


class MilestoneOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    company: CompanyRef
    facility: str | None = Field(description="The facility's slug.")
    technology: str | None
    status: str = Field(description="on_track, delayed, overdue, achieved, cancelled, undated")
    stale: bool = Field(description="Not achieved and no claim for 24 months.")
    first_target: TargetOut | None
    current_target: TargetOut | None
    country: str = Field(
        description="Where it happens: its facility's country, else its company's (ISO 3166-1)."
    )
    partners: list[str] = Field(description="Slugs of partner companies named on it.")
    achieved_on: date | None = Field(description="First day the achievement could have been.")
    achieved_latest: date | None = Field(description="Last day it could have been.")
    achieved: str = Field(description='When, as precisely as known: "2 Sep 2025", "2023".')
    achieved_precision: str | None = Field(
        description="day, month, quarter, half or year when the bounds are one such period, "
        "else range"
    )
    verdict: str | None = Field(
        description="on_time, late or cant_tell (the sources are not precise enough); "
        "null without an achievement against a dated target."
    )
    on_time: bool | None = Field(description="True when certainly on time, false when late.")
    slip_months: int | None = Field(
        description="Whole months past the first dated target (the least, when a range)."
    )
    slip_months_max: int | None = Field(description="The most, when the dates are imprecise.")
    last_claim_on: date | None = Field(description="Last day of the latest claim's period.")
    last_claim_from: date | None = Field(description="First day of the latest claim's period.")
    capacity_value: float | None
    capacity_unit: str
    energy_density_wh_kg: float | None
    energy_density_wh_l: float | None
    cell_ah: float | None
    as_of: date
    url: str


class ClaimOut(Schema):
    id: int
    milestone: int
    milestone_slug: str
    company: CompanyRef
    kind: str
    stated_on: date = Field(description="First day of the period it was said in.")
    stated_on_latest: date = Field(description="Last day: it counts as known from then.")
    stated_on_precision: str = Field(description="day, month, quarter, half or year")
    speaker: str
    standing: str = Field(description="company, partner, government or third_party")
    counted: bool = Field(
        description="Whether it can move status and slip: the milestone's own parties' "
        "statements and anyone's achievement reports; views never."
    )
    target: TargetOut | None
    achieved_on: date | None
    achieved_on_latest: date | None
    achieved_on_precision: str | None
    evidence: str | None
    source: int
    quote: str


class SourceOut(Schema):
    id: int
    url: str
    title: str
    publisher: str
    kind: str
    published_on: date
    published_on_latest: date
    published_on_precision: str
    language: str
    via: int | None
    archive_url: str
    accessed_on: date | None
    url_on_site: str


class Page(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None


class CompanyPage(Page):
    results: list[CompanyOut]


class FacilityPage(Page):
    results: list[FacilityOut]


class MilestonePage(Page):
    results: list[MilestoneOut]


class ClaimPage(Page):
    results: list[ClaimOut]


class SourcePage(Page):
    results: list[SourceOut]


# --- parameters (documented; validated by the pages' forms) --------------------------------


class Paging(Schema):
    as_of: str | None = Field(None, description="YYYY-MM-DD; default today.")
    page: str | None = Field(None, description="1-based page number.")
    page_size: str | None = Field(None, description=f"1 to {MAX_PAGE_SIZE}; default 50.")


class CompanyFilters(Paging):
    country: list[str] = Field([], description="ISO 3166-1 alpha-2; repeatable.")
    role: str | None = None
    technology: str | None = Field(None, description="sulfide, oxide, polymer, halide, …")
    q: str | None = Field(None, description="Search names, native names, aliases, tickers.")


class MilestoneFilters(Paging):
    country: list[str] = Field([], description="ISO 3166-1 alpha-2; repeatable.")
    company: str | None = Field(None, description="Company slug.")
    status: list[str] = Field([], description="Repeatable derived status.")
    kind: list[str] = Field([], description="Repeatable milestone kind.")
    technology: str | None = None
    year: str | None = Field(None, description="Year the current target falls due.")
    q: str | None = None


class ClaimFilters(Paging):
    country: list[str] = Field([], description="ISO 3166-1 alpha-2; repeatable.")
    company: str | None = Field(None, description="Company slug.")
    milestone: str | None = Field(None, description="Milestone id.")
    source: str | None = Field(None, description="Source id.")
    kind: list[str] = Field([], description="Repeatable claim kind.")


class SourceFilters(Paging):
    kind: list[str] = []
    publisher: str | None = None
    q: str | None = None


# --- helpers --------------------------------------------------------------------------------


def _as_of(request: HttpRequest) -> date:
    form = AsOfForm(request.GET)
    if not form.is_valid():
        raise BadRequest(dict(form.errors))
    as_of = form.cleaned_data.get("as_of")
    return min(as_of, date.today()) if as_of else date.today()


def _validated(form: ListForm) -> ListForm:
    if not form.is_valid():
        raise BadRequest({k: list(v) for k, v in form.errors.items()})
    return form


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest({name: [f"{name} must be a whole number."]}) from None
    if not low <= value <= high:
        raise BadRequest({name: [f"{name} must be between {low} and {high}."]})
    return value


def paginate(request: HttpRequest, queryset, serialize, count: int | None = None) -> dict:
    size = _int(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    count = queryset.count() if count is None else count
    pages = max(1, -(-count // size))
    number = _int(request, "page", 1, 1, 10**9)
    if number > pages:
        raise BadRequest({"page": [f"Page {number} is past the last page, {pages}."]})
    items = queryset[(number - 1) * size : number * size]

    def link(n: int) -> str:
        params = request.GET.copy()
        params["page"] = str(n)
        return request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")

    return {
        "count": count,
        "page": number,
        "pages": pages,
        "next": link(number + 1) if number < pages else None,
        "previous": link(number - 1) if number > 1 else None,
        "results": [serialize(request, item) for item in items],
    }


def _float(value):
    return None if value is None else float(value)


def _company_ref(company: Company) -> dict:
    return {"slug": company.slug, "name": company.name, "country": company.country.code}


def _target(target: Target | None) -> dict | None:
    if target is None:
        return None
    return {
        "stated": target.text,
        "label": target.label,
        "earliest": target.earliest,
        "latest": target.latest,
        "precision": target.precision,
    }


def company_out(request: HttpRequest, c: Company) -> dict:
    return {
        "slug": c.slug,
        "name": c.name,
        "native_name": c.native_name,
        "aliases": c.alias_list,
        "country": c.country.code,
        "role": c.role,
        "technologies": [t.slug for t in c.technologies.all()],
        "hq_city": c.hq_city,
        "website": c.website,
        "tickers": c.ticker_list,
        "description": c.description,
        "url": request.build_absolute_uri(c.get_absolute_url()),
    }


def facility_out(request: HttpRequest, f: Facility) -> dict:
    return {
        "slug": f.slug,
        "name": f.name,
        "company": _company_ref(f.company),
        "kind": f.kind,
        "status": f.status,
        "country": f.country.code,
        "province": f.province,
        "city": f.city,
        "district": f.district,
        "address": f.address,
        "latitude": _float(f.latitude),
        "longitude": _float(f.longitude),
        "location_accuracy": f.location_accuracy,
        "technology": f.technology.slug if f.technology else None,
        "cell_format": f.cell_format,
        "capacity_value": _float(f.capacity_value),
        "capacity_unit": f.capacity_unit,
        "investment_amount": _float(f.investment_amount),
        "investment_currency": f.investment_currency,
        "url": request.build_absolute_uri(f.get_absolute_url()),
    }


def milestone_out(request: HttpRequest, m: Milestone, result: MilestoneStatus) -> dict:
    return {
        "id": m.pk,
        "slug": m.slug,
        "title": m.title,
        "kind": m.kind,
        "company": _company_ref(m.company),
        "facility": m.facility.slug if m.facility else None,
        "technology": m.technology.slug if m.technology else None,
        "status": result.status.value,
        "stale": result.stale,
        "first_target": _target(result.first_target),
        "current_target": _target(result.current_target),
        "country": m.country.code,
        "partners": [p.slug for p in m.partners.all()],
        "achieved_on": result.achieved_on,
        "achieved_latest": result.achieved_latest,
        "achieved": achieved_label(result),
        "achieved_precision": span_precision(result.achieved_on, result.achieved_latest)
        if result.achieved_on
        else None,
        "verdict": result.verdict,
        "on_time": result.on_time,
        "slip_months": result.slip_months,
        "slip_months_max": result.slip_months_max,
        "last_claim_on": result.last_claim_on,
        "last_claim_from": result.last_claim_from,
        "capacity_value": _float(m.capacity_value),
        "capacity_unit": m.capacity_unit,
        "energy_density_wh_kg": _float(m.energy_density_wh_kg),
        "energy_density_wh_l": _float(m.energy_density_wh_l),
        "cell_ah": _float(m.cell_ah),
        "as_of": result.as_of,
        "url": request.build_absolute_uri(m.get_absolute_url()),
    }


def claim_out(request: HttpRequest, c: Claim) -> dict:
    target = None
    if c.has_target:
        target = _target(
            Target(None, c.target_text, c.target_earliest, c.target_latest, c.target_precision)
        )
    return {
        "id": c.pk,
        "milestone": c.milestone_id,
        "milestone_slug": c.milestone.slug,
        "company": _company_ref(c.milestone.company),
        "kind": c.kind,
        "stated_on": c.stated_on,
        "stated_on_latest": c.stated_on_latest,
        "stated_on_precision": c.stated_on_precision,
        "speaker": c.speaker,
        "standing": c.standing,
        "counted": c.counts,
        "target": target,
        "achieved_on": c.achieved_on,
        "achieved_on_latest": c.achieved_on_latest,
        "achieved_on_precision": c.achieved_on_precision if c.achieved_on else None,
        "evidence": Claim.Evidence(c.evidence).name.lower() if c.evidence else None,
        "source": c.source_id,
        "quote": c.quote,
    }


def source_out(request: HttpRequest, s: Source) -> dict:
    return {
        "id": s.pk,
        "url": s.url,
        "title": s.title,
        "publisher": s.publisher,
        "kind": s.kind,
        "published_on": s.published_on,
        "published_on_latest": s.published_on_latest,
        "published_on_precision": s.published_on_precision,
        "language": s.language,
        "via": s.via_id,
        "archive_url": s.archive_url,
        "accessed_on": s.accessed_on,
        "url_on_site": request.build_absolute_uri(s.get_absolute_url()),
    }


# --- endpoints ------------------------------------------------------------------------------

ERRORS = {400: ErrorOut, 404: ErrorOut}


class IndexOut(Schema):
    name: str
    docs: str
    openapi: str
    endpoints: dict[str, str]


@api.get("/", response=IndexOut, tags=["index"])
def index(request: HttpRequest):
    """Where everything is."""
    absolute = request.build_absolute_uri
    return {
        "name": "SSB Tracker API",
        "docs": absolute("/api/docs"),
        "openapi": absolute("/api/openapi.json"),
        "endpoints": {
            name: absolute(f"/api/{name}")
            for name in ("companies", "facilities", "milestones", "claims", "sources")
        },
    }


@api.get("/companies", response={200: CompanyPage, **ERRORS}, tags=["companies"])
@decorate_view(cache_public_page)
def list_companies(request: HttpRequest, filters: Query[CompanyFilters]):
    _as_of(request)
    form = _validated(CompanyFilterForm(request.GET))
    companies = form.filtered(Company.objects.all()).order_by("name", "pk")
    return paginate(request, companies.prefetch_related("technologies"), company_out)


@api.get("/companies/{slug}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
@decorate_view(cache_public_page)
def get_company(request: HttpRequest, slug: str):
    company = get_object_or_404(Company.objects.prefetch_related("technologies"), slug=slug)
    return company_out(request, company)


@api.get("/facilities", response={200: FacilityPage, **ERRORS}, tags=["facilities"])
@decorate_view(cache_public_page)
def list_facilities(request: HttpRequest, filters: Query[CompanyFilters]):
    _as_of(request)
    form = _validated(CompanyFilterForm(request.GET))
    companies = form.filtered(Company.objects.all())
    facilities = (
        Facility.objects.filter(company__in=companies)
        .select_related("company", "technology")
        .order_by("company__name", "name", "pk")
    )
    return paginate(request, facilities, facility_out)


@api.get("/facilities/{slug}", response={200: FacilityOut, **ERRORS}, tags=["facilities"])
@decorate_view(cache_public_page)
def get_facility(request: HttpRequest, slug: str):
    facility = get_object_or_404(
        Facility.objects.select_related("company", "technology"), slug=slug
    )
    return facility_out(request, facility)


@api.get("/milestones", response={200: MilestonePage, **ERRORS}, tags=["milestones"])
@decorate_view(cache_public_page)
def list_milestones(request: HttpRequest, filters: Query[MilestoneFilters]):
    as_of = _as_of(request)
    form = _validated(MilestoneFilterForm(request.GET))
    base = Milestone.objects.with_status(as_of).stated_by(as_of)
    milestones = (
        form.filtered(base)
        .select_related("company", "facility", "technology")
        .prefetch_related("partners")
    )
    milestones = milestones.order_by("company__name", "title", "pk")
    return paginate(
        request,
        milestones,
        lambda r, m: milestone_out(r, m, status_from_annotations(m, as_of)),
        # The count from the cached status census of the list page, not a count query.
        count=facets_and_total(form, as_of)[1],
    )


@api.get("/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS}, tags=["milestones"])
@decorate_view(cache_public_page)
def get_milestone(request: HttpRequest, milestone_id: int):
    as_of = _as_of(request)
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=milestone_id)
    return milestone_out(request, milestone, milestone.derived_status(as_of))


@api.get("/claims", response={200: ClaimPage, **ERRORS}, tags=["claims"])
@decorate_view(cache_public_page)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]):
    as_of = _as_of(request)
    form = _validated(ClaimFilterForm(request.GET))
    claims = form.filtered(Claim.objects.stated_by(as_of)).select_related("milestone__company")
    return paginate(request, claims.order_by("-stated_on_latest", "-pk"), claim_out)


@api.get("/claims/{claim_id}", response={200: ClaimOut, **ERRORS}, tags=["claims"])
@decorate_view(cache_public_page)
def get_claim(request: HttpRequest, claim_id: int):
    claim = get_object_or_404(Claim.objects.select_related("milestone__company"), pk=claim_id)
    return claim_out(request, claim)


@api.get("/sources", response={200: SourcePage, **ERRORS}, tags=["sources"])
@decorate_view(cache_public_page)
def list_sources(request: HttpRequest, filters: Query[SourceFilters]):
    as_of = _as_of(request)
    form = _validated(SourceFilterForm(request.GET))
    sources = form.filtered(Source.objects.published_by(as_of)).order_by("-published_on", "pk")
    return paginate(request, sources, source_out)


@api.get("/sources/{source_id}", response={200: SourceOut, **ERRORS}, tags=["sources"])
@decorate_view(cache_public_page)
def get_source(request: HttpRequest, source_id: int):
    return source_out(request, get_object_or_404(Source, pk=source_id))
