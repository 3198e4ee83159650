"""The output schemas of the API: the one description of every response, read from the rows and
records themselves."""

from datetime import date

from ninja import Schema
from pydantic import Field

from claims.capacity import facility_gwh
from claims.models import Claim, Company
from claims.read import Row
from claims.status import Status, Target

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
    cell_ah: float | None = Field(description="The capacity of the cell made there, in Ah.")
    cell_nominal_voltage: float | None = Field(
        description="The nominal voltage of the cell made there, in V."
    )
    capacity_value: float | None
    capacity_unit: str
    capacity_gwh_per_year: float | None = Field(
        None,
        description=(
            "Capacity in GWh/yr where the unit converts (GWh; MWh ÷ 1000; cells × the cell's"
            " Ah × its nominal voltage where both are recorded), else null."
        ),
    )
    investment_amount: float | None
    investment_currency: str
    url: str

    resolve_country = staticmethod(_country_code)
    resolve_url = staticmethod(_absolute)

    @staticmethod
    def resolve_capacity_gwh_per_year(facility) -> float | None:
        gwh = facility_gwh(facility)
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
        description=", ".join(s.value for s in Status),
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
    cycle_life: int | None = Field(alias="milestone.cycle_life", description="Cycles.")
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


class PipelineRowOut(Schema):
    key: str = Field(description="The year (or Undated), country, company or technology.")
    operating: float = Field(description="GWh/yr.")
    construction: float = Field(description="GWh/yr under construction.")
    planned: float = Field(description="GWh/yr.")
    cancelled: float = Field(description="GWh/yr.")
    total: float
    not_convertible: int = Field(description="Units of capacity not convertible to GWh/yr.")


class UnitOut(Schema):
    """A unit of capacity of the pipeline (claims.read.pipeline.Unit)."""

    name: str
    url: str
    company: str = Field(alias="company_slug")
    country: str
    stage: str
    value: float
    unit: str

    @staticmethod
    def resolve_url(unit, context) -> str:
        return context["request"].build_absolute_uri(unit.url)


class UnconvertedOut(UnitOut):
    reason: str


class ConvertedOut(UnitOut):
    value: float = Field(description="The capacity as stated, in cells.")
    unit: str = Field(description="cells_per_year or cells_per_week.")
    cell_ah: float = Field(description="The cell's Ah it was converted with.")
    cell_ah_from: str = Field(
        alias="ah_from",
        description="Whose Ah that is: the milestone's own, or its facility's cell's.",
    )
    cell_nominal_voltage: float = Field(
        alias="voltage", description="The facility's cell's nominal voltage."
    )
    gwh_per_year: float = Field(alias="gwh", description="Cells a year × Ah × V ÷ 10⁹.")


class PipelineOut(Schema):
    as_of: date
    group: str
    rows: list[PipelineRowOut]
    not_convertible: list[UnconvertedOut]
    converted: list[ConvertedOut] = Field(
        description="Capacity stated in cells and converted to GWh/yr, with the figures used."
    )
