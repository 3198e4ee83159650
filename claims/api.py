"""The read-only JSON API at /api/, with its OpenAPI schema and a docs page served locally.

Every list takes the same filters as the pages and `as_of`; a bad parameter is a 400 with a
JSON body naming it. The query schemas below parse and validate the parameters; the output
schemas are the one description of every response, read from the rows and records
themselves; lists are paginated (count, page, pages, next, previous, results) in a stable
order.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_countries import countries
from ninja import NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase, paginate
from pydantic import AfterValidator, BeforeValidator, Field

from claims.cache import cache_public_page
from claims.models import Claim, Company, Facility, Milestone, Source, Technology
from claims.read import AsOf, MilestoneFilters, Row, parse_as_of
from claims.read.facilities import Facilities, FacilityFilters, capacity_gwh
from claims.status import Status, Target

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_TEXT = 100

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
        # ("query", "status", 0): the parameter is the last name in the location.
        names = [part for part in error.get("loc", ()) if isinstance(part, str)]
        errors.setdefault(names[-1] if names else "?", []).append(error.get("msg", "invalid"))
    return api.create_response(
        request, {"detail": "Invalid query parameters.", "errors": errors}, status=400
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": "Not found.", "errors": {}}, status=404)


# --- schemas --------------------------------------------------------------------------------


def _absolute(obj, context) -> str:
    return context["request"].build_absolute_uri(obj.get_absolute_url())


def _float(value) -> float | None:
    return None if value is None else float(value)


def _country_code(obj) -> str:
    return obj.country.code


class CompanyRef(Schema):
    slug: str
    name: str
    country: str

    resolve_country = staticmethod(_country_code)


class TargetOut(Schema):
    stated: str = Field(alias="text", description="The target in the speaker's words.")
    label: str = Field(description='Normalised, compact: "Dec 2025", "H2 2026", "FY2028".')
    earliest: date | None
    latest: date | None = Field(description="When it falls due; null if open-ended.")
    precision: str


class CompanyOut(Schema):
    slug: str
    name: str
    native_name: str
    aliases: list[str] = Field(alias="alias_list")
    country: str
    role: str
    technologies: list[str]
    hq_city: str
    website: str
    tickers: list[str] = Field(alias="ticker_list")
    description: str
    url: str

    resolve_country = staticmethod(_country_code)
    resolve_url = staticmethod(_absolute)

    @staticmethod
    def resolve_technologies(company: Company) -> list[str]:
        return [t.slug for t in company.technologies.all()]


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
    technology: str | None = Field(alias="technology.slug", default=None)
    cell_format: str
    capacity_value: float | None
    capacity_unit: str
    capacity_gwh_per_year: float | None = Field(
        None,
        description="Capacity in GWh/yr where the unit converts (GWh ×1, MWh ÷1000), else null.",
    )
    investment_amount: float | None
    investment_currency: str
    url: str

    resolve_country = staticmethod(_country_code)
    resolve_url = staticmethod(_absolute)

    @staticmethod
    def resolve_capacity_gwh_per_year(facility: Facility) -> float | None:
        gwh = capacity_gwh(facility.capacity_value, facility.capacity_unit)
        return None if gwh is None else float(gwh)


class MilestoneOut(Schema):
    """A row of the read model: a milestone and its status as of the day."""

    id: int = Field(alias="milestone.pk")
    slug: str = Field(alias="milestone.slug")
    title: str = Field(alias="milestone.title")
    kind: str = Field(alias="milestone.kind")
    company: CompanyRef = Field(alias="milestone.company")
    facility: str | None = Field(
        None, alias="milestone.facility.slug", description="The facility's slug."
    )
    technology: str | None = Field(None, alias="milestone.technology.slug")
    status: str = Field(
        alias="result.status",
        description="on_track, delayed, overdue, achieved, cancelled, undated",
    )
    stale: bool = Field(
        alias="result.stale", description="Not achieved and no claim for 24 months."
    )
    first_target: TargetOut | None = Field(alias="result.first_target")
    current_target: TargetOut | None = Field(alias="result.current_target")
    country: str = Field(
        description="Where it happens: its facility's country, else its company's (ISO 3166-1)."
    )
    partners: list[str] = Field(description="Slugs of partner companies named on it.")
    achieved_on: date | None = Field(
        alias="result.achieved_on", description="First day the achievement could have been."
    )
    achieved_latest: date | None = Field(
        alias="result.achieved_latest", description="Last day it could have been."
    )
    achieved: str = Field(
        alias="result.achieved_text",
        description='When, as precisely as known: "2 Sep 2025", "2023".',
    )
    achieved_precision: str | None = Field(
        alias="result.achieved_precision",
        description="day, month, quarter, half or year when the bounds are one such period, "
        "else range",
    )
    verdict: str | None = Field(
        alias="result.verdict",
        description="on_time, late or cant_tell (the sources are not precise enough); "
        "null without an achievement against a dated target.",
    )
    on_time: bool | None = Field(
        alias="result.on_time", description="True when certainly on time, false when late."
    )
    slip_months: int | None = Field(
        alias="result.slip_months",
        description="Whole months past the first dated target (the least, when a range).",
    )
    slip_months_max: int | None = Field(
        alias="result.slip_months_max", description="The most, when the dates are imprecise."
    )
    last_claim_on: date | None = Field(
        alias="result.last_claim_on", description="Last day of the latest claim's period."
    )
    last_claim_from: date | None = Field(
        alias="result.last_claim_from", description="First day of the latest claim's period."
    )
    capacity_value: float | None = Field(alias="milestone.capacity_value")
    capacity_unit: str = Field(alias="milestone.capacity_unit")
    energy_density_wh_kg: float | None = Field(alias="milestone.energy_density_wh_kg")
    energy_density_wh_l: float | None = Field(alias="milestone.energy_density_wh_l")
    cell_ah: float | None = Field(alias="milestone.cell_ah")
    as_of: date = Field(alias="result.as_of")
    url: str

    @staticmethod
    def resolve_country(row: Row) -> str:
        return row.milestone.country.code

    @staticmethod
    def resolve_partners(row: Row) -> list[str]:
        return [p.slug for p in row.milestone.partners.all()]

    @staticmethod
    def resolve_url(row: Row, context) -> str:
        return _absolute(row.milestone, context)


class ClaimOut(Schema):
    id: int
    milestone: int = Field(alias="milestone_id")
    milestone_slug: str = Field(alias="milestone.slug")
    company: CompanyRef = Field(alias="milestone.company")
    kind: str
    stated_on: date = Field(description="First day of the period it was said in.")
    stated_on_latest: date = Field(description="Last day: it counts as known from then.")
    stated_on_precision: str = Field(description="day, month, quarter, half or year")
    speaker: str
    standing: str = Field(description="company, partner, government or third_party")
    counted: bool = Field(
        alias="counts",
        description="Whether it can move status and slip: the milestone's own parties' "
        "statements and anyone's achievement reports; views never.",
    )
    target: TargetOut | None
    achieved_on: date | None
    achieved_on_latest: date | None
    achieved_on_precision: str | None
    evidence: str | None
    source: int = Field(alias="source_id")
    quote: str

    @staticmethod
    def resolve_target(claim: Claim) -> Target | None:
        if not claim.has_target:
            return None
        return Target(
            None,
            claim.target_text,
            claim.target_earliest,
            claim.target_latest,
            claim.target_precision,
        )

    @staticmethod
    def resolve_achieved_on_precision(claim: Claim) -> str | None:
        return claim.achieved_on_precision if claim.achieved_on else None

    @staticmethod
    def resolve_evidence(claim: Claim) -> str | None:
        return Claim.Evidence(claim.evidence).name.lower() if claim.evidence else None


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
    via: int | None = Field(alias="via_id")
    archive_url: str
    accessed_on: date | None
    url_on_site: str

    resolve_url_on_site = staticmethod(_absolute)


class Pages(PaginationBase):
    """Numbered pages: count, page, pages, next and previous links, results."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="1-based page number.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"1 to {MAX_PAGE_SIZE}."
        )

    class Output(Schema):
        count: int
        page: int
        pages: int
        next: str | None
        previous: str | None
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        size, number = pagination.page_size, pagination.page
        count = self._items_count(queryset)
        pages = max(1, -(-count // size))
        if number > pages:
            raise BadRequest({"page": [f"Page {number} is past the last page, {pages}."]})

        def link(n: int) -> str:
            query = request.GET.copy()
            query["page"] = str(n)
            return request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")

        return {
            "count": count,
            "page": number,
            "pages": pages,
            "next": link(number + 1) if number < pages else None,
            "previous": link(number - 1) if number > 1 else None,
            "results": queryset[(number - 1) * size : number * size],
        }


# --- parameters -----------------------------------------------------------------------------


def _blank_is_none(value):
    return None if value == "" else value


def _drop_blanks(value):
    return [v for v in value if v != ""] if isinstance(value, list) else value


def _country(code: str) -> str:
    code = code.upper()
    if code not in countries:
        raise ValueError(
            f"{code} is not a country code we know: use ISO 3166-1 codes such as CN, JP, US."
        )
    return code


def _as_of(text: str | None) -> date:
    return parse_as_of(text)  # the pages' parser; its ValueError is the 400's message


def _technology(slug: str | None) -> str | None:
    if slug is not None and not Technology.objects.filter(slug=slug).exists():
        raise ValueError(f"{slug} is not a technology we know.")
    return slug


Blank = BeforeValidator(_blank_is_none)
Many = BeforeValidator(_drop_blanks)
Countries = Annotated[list[Annotated[str, BeforeValidator(_country)]], Many]
Text = Annotated[str | None, Blank, Field(max_length=MAX_TEXT)]
TechnologySlug = Annotated[str | None, Blank, AfterValidator(_technology)]


class AsOfQuery(Schema):
    as_of: Annotated[date, BeforeValidator(_as_of)] = Field(
        default_factory=date.today, description="YYYY-MM-DD; default today."
    )


class CompanyQuery(AsOfQuery):
    country: Countries = Field([], description="ISO 3166-1 alpha-2; repeatable.")
    role: Annotated[Company.Role | None, Blank] = None
    technology: TechnologySlug = Field(None, description="sulfide, oxide, polymer, halide, …")
    q: Text = Field(None, description="Search names, native names, aliases, tickers.")

    def companies(self):
        return (
            Company.objects.in_countries(self.country)
            .with_role(self.role)
            .with_technology(self.technology)
            .search(self.q)
        )


class MilestoneQuery(AsOfQuery):
    country: Countries = Field([], description="ISO 3166-1 alpha-2; repeatable.")
    company: Text = Field(None, description="Company slug.")
    status: Annotated[list[Status], Many] = Field([], description="Repeatable derived status.")
    kind: Annotated[list[Milestone.Kind], Many] = Field(
        [], description="Repeatable milestone kind."
    )
    technology: TechnologySlug = None
    year: Annotated[int | None, Blank] = Field(
        None, ge=1900, le=2100, description="Year the current target falls due."
    )
    q: Text = None

    def read(self) -> AsOf:
        """The read model of these filters, in a stable order: by company, then title."""
        values = self.model_dump(exclude={"as_of"})
        return AsOf(self.as_of, MilestoneFilters.of({**values, "sort": "company"}))


class FacilityQuery(AsOfQuery):
    country: Countries = Field([], description="The site's country, ISO 3166-1; repeatable.")
    company: Text = Field(None, description="Company slug.")
    status: Annotated[list[Facility.Status], Many] = Field([], description="Repeatable.")
    technology: TechnologySlug = None
    kind: Annotated[list[Facility.Kind], Many] = Field([], description="Repeatable.")
    capacity_min: Annotated[Decimal | None, Blank] = Field(
        None, ge=0, description="GWh/yr; facilities not convertible to GWh/yr are left out."
    )
    capacity_max: Annotated[Decimal | None, Blank] = Field(None, ge=0, description="GWh/yr.")
    q: Text = Field(None, description="Search names, companies, cities, provinces.")
    sort: Literal["name", "company", "capacity", "country"] = "company"

    def read(self) -> Facilities:
        """Facilities known by the day (see claims.read.facilities), these filters."""
        return Facilities(self.as_of, FacilityFilters.of(self.model_dump(exclude={"as_of"})))


class ClaimQuery(AsOfQuery):
    country: Countries = Field([], description="ISO 3166-1 alpha-2; repeatable.")
    company: Text = Field(None, description="Company slug.")
    milestone: Annotated[int | None, Blank] = Field(None, ge=1, description="Milestone id.")
    source: Annotated[int | None, Blank] = Field(None, ge=1, description="Source id.")
    kind: Annotated[list[Claim.Kind], Many] = Field([], description="Repeatable claim kind.")

    def claims(self):
        claims = Claim.objects.stated_by(self.as_of)
        if self.country:
            claims = claims.filter(milestone__country__in=self.country)
        if self.company:
            claims = claims.filter(milestone__company__slug=self.company.strip().lower())
        if self.milestone:
            claims = claims.filter(milestone_id=self.milestone)
        if self.source:
            claims = claims.filter(source_id=self.source)
        if self.kind:
            claims = claims.filter(kind__in=self.kind)
        return claims


class SourceQuery(AsOfQuery):
    kind: Annotated[list[Source.Kind], Many] = []
    publisher: Text = None
    q: Text = None

    def sources(self):
        sources = Source.objects.published_by(self.as_of).search(self.q)
        if self.kind:
            sources = sources.filter(kind__in=self.kind)
        if self.publisher:
            sources = sources.filter(publisher=self.publisher)
        return sources


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


@api.get("/companies", response={200: list[CompanyOut], **ERRORS}, tags=["companies"])
@decorate_view(cache_public_page)
@paginate(Pages)
def list_companies(request: HttpRequest, filters: Query[CompanyQuery]):
    return filters.companies().order_by("name", "pk").prefetch_related("technologies")


@api.get("/companies/{slug}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
@decorate_view(cache_public_page)
def get_company(request: HttpRequest, slug: str):
    return get_object_or_404(Company.objects.prefetch_related("technologies"), slug=slug)


@api.get("/facilities", response={200: list[FacilityOut], **ERRORS}, tags=["facilities"])
@decorate_view(cache_public_page)
@paginate(Pages)
def list_facilities(request: HttpRequest, filters: Query[FacilityQuery]):
    return filters.read().facilities()


@api.get("/facilities/{slug}", response={200: FacilityOut, **ERRORS}, tags=["facilities"])
@decorate_view(cache_public_page)
def get_facility(request: HttpRequest, slug: str):
    return get_object_or_404(Facility.objects.select_related("company", "technology"), slug=slug)


@api.get("/milestones", response={200: list[MilestoneOut], **ERRORS}, tags=["milestones"])
@decorate_view(cache_public_page)
@paginate(Pages)
def list_milestones(request: HttpRequest, filters: Query[MilestoneQuery]):
    # Counted from the cached status census, as the list page is: no count query.
    return filters.read().rows(partners=True)


@api.get("/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS}, tags=["milestones"])
@decorate_view(cache_public_page)
def get_milestone(request: HttpRequest, milestone_id: int, query: Query[AsOfQuery]):
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=milestone_id)
    return Row(milestone, AsOf(query.as_of).history(milestone))


@api.get("/claims", response={200: list[ClaimOut], **ERRORS}, tags=["claims"])
@decorate_view(cache_public_page)
@paginate(Pages)
def list_claims(request: HttpRequest, filters: Query[ClaimQuery]):
    claims = filters.claims().select_related("milestone__company")
    return claims.order_by("-stated_on_latest", "-pk")


@api.get("/claims/{claim_id}", response={200: ClaimOut, **ERRORS}, tags=["claims"])
@decorate_view(cache_public_page)
def get_claim(request: HttpRequest, claim_id: int):
    return get_object_or_404(Claim.objects.select_related("milestone__company"), pk=claim_id)


@api.get("/sources", response={200: list[SourceOut], **ERRORS}, tags=["sources"])
@decorate_view(cache_public_page)
@paginate(Pages)
def list_sources(request: HttpRequest, filters: Query[SourceQuery]):
    return filters.sources().order_by("-published_on", "pk")


@api.get("/sources/{source_id}", response={200: SourceOut, **ERRORS}, tags=["sources"])
@decorate_view(cache_public_page)
def get_source(request: HttpRequest, source_id: int):
    return get_object_or_404(Source, pk=source_id)
