"""The query parameters of the API: the filters of the pages and as_of parsed and validated, and
the page of a list."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django_countries import countries
from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import AfterValidator, BeforeValidator, Field

from claims.models import Claim, Company, Facility, Milestone, Source, Technology
from claims.read import AsOf, MilestoneFilters, parse_as_of
from claims.read.facilities import Facilities, FacilityFilters
from claims.status import Status

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_TEXT = 100

# --- parameters -----------------------------------------------------------------------------


class BadRequest(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


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
# The length is checked on the text, after a blank one has become None.
Text = Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, Blank]
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
