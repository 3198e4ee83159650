"""The API object, its error responses and its endpoints."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from claims.api.params import (
    AsOfQuery,
    BadRequest,
    ClaimQuery,
    CompanyQuery,
    FacilityQuery,
    MilestoneQuery,
    Pages,
    PipelineQuery,
    SourceQuery,
)
from claims.api.schemas import (
    ClaimOut,
    CompanyOut,
    FacilityOut,
    MilestoneOut,
    PipelineOut,
    SourceOut,
)
from claims.cache import cache_public_page
from claims.models import Claim, Company, Facility, Milestone, Source
from claims.read import AsOf, Row

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
# Every response is a public page: cached under the data version, with its validators.
api.add_decorator(cache_public_page, mode="view")


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
            for name in ("companies", "facilities", "milestones", "claims", "sources", "pipeline")
        },
    }


@api.get("/companies", response={200: list[CompanyOut], **ERRORS}, tags=["companies"])
@paginate(Pages)
def list_companies(request: HttpRequest, filters: Query[CompanyQuery]):
    return filters.companies().order_by("name", "pk").prefetch_related("technologies")


@api.get("/companies/{slug}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
def get_company(request: HttpRequest, slug: str):
    return get_object_or_404(Company.objects.prefetch_related("technologies"), slug=slug)


@api.get("/facilities", response={200: list[FacilityOut], **ERRORS}, tags=["facilities"])
@paginate(Pages)
def list_facilities(request: HttpRequest, filters: Query[FacilityQuery]):
    return filters.read().facilities()


@api.get("/facilities/{slug}", response={200: FacilityOut, **ERRORS}, tags=["facilities"])
def get_facility(request: HttpRequest, slug: str):
    return get_object_or_404(Facility.objects.select_related("company", "technology"), slug=slug)


@api.get("/milestones", response={200: list[MilestoneOut], **ERRORS}, tags=["milestones"])
@paginate(Pages)
def list_milestones(request: HttpRequest, filters: Query[MilestoneQuery]):
    # Counted from the cached status census, as the list page is: no count query.
    return filters.read().rows(partners=True)


@api.get("/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS}, tags=["milestones"])
def get_milestone(request: HttpRequest, milestone_id: int, query: Query[AsOfQuery]):
    milestone = get_object_or_404(Milestone.objects.with_claims(), pk=milestone_id)
    return Row(milestone, AsOf(query.as_of).history(milestone))


@api.get("/pipeline", response={200: PipelineOut, **ERRORS}, tags=["pipeline"])
def pipeline(request: HttpRequest, filters: Query[PipelineQuery]):
    """Capacity in GWh/yr by year, country, company or technology and stage (operating,
    construction, planned, cancelled), as the methodology's "Capacity" section counts it; the
    capacity that cannot be converted to GWh/yr, with why; and the capacity converted from
    cells, with the cell's Ah and nominal voltage it was converted with."""
    summary = filters.read().summary()
    return {
        "as_of": filters.as_of,
        "group": filters.group,
        "rows": [
            {
                "key": r.key,
                **{s: float(v) for s, v in r.gwh.items()},
                "total": float(r.total),
                "not_convertible": r.not_convertible,
            }
            for r in summary["rows"]
        ],
        "not_convertible": summary["not_convertible"],
        "converted": summary["converted"],
    }


@api.get("/claims", response={200: list[ClaimOut], **ERRORS}, tags=["claims"])
@paginate(Pages)
def list_claims(request: HttpRequest, filters: Query[ClaimQuery]):
    claims = filters.claims().select_related("milestone__company")
    return claims.order_by("-stated_on_latest", "-pk")


@api.get("/claims/{claim_id}", response={200: ClaimOut, **ERRORS}, tags=["claims"])
def get_claim(request: HttpRequest, claim_id: int):
    return get_object_or_404(Claim.objects.select_related("milestone__company"), pk=claim_id)


@api.get("/sources", response={200: list[SourceOut], **ERRORS}, tags=["sources"])
@paginate(Pages)
def list_sources(request: HttpRequest, filters: Query[SourceQuery]):
    return filters.sources().order_by("-published_on", "pk")


@api.get("/sources/{source_id}", response={200: SourceOut, **ERRORS}, tags=["sources"])
def get_source(request: HttpRequest, source_id: int):
    return get_object_or_404(Source, pk=source_id)
