"""The workbook of every stored record, and the template: what the import reads back."""

from __future__ import annotations

from claims.dates import partial_date_text
from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source
from claims.workbook.sheets import number_text


def _ref(source: Source | None) -> str:
    """How a sheet names a source: its URL, or the title of one without a URL."""
    if source is None:
        return ""
    return source.url or source.title


def _date(value, precision: str) -> str:
    return partial_date_text(value, precision) if value else ""


def company_row(c: Company) -> dict[str, str]:
    return {
        "slug": c.slug,
        "name": c.name,
        "native_name": c.native_name,
        "aliases": "; ".join(c.alias_list),
        "country": c.country.code,
        "role": c.role,
        "technologies": "; ".join(sorted(t.slug for t in c.technologies.all())),
        "hq_city": c.hq_city,
        "website": c.website,
        "tickers": c.tickers,
        "fiscal_year_start_month": str(c.fiscal_year_start_month or ""),
        "description": c.description,
    }


def source_row(s: Source) -> dict[str, str]:
    return {
        "url": s.url,
        "title": s.title,
        "publisher": s.publisher,
        "kind": s.kind,
        "published_on": _date(s.published_on, s.published_on_precision),
        "language": s.language,
        "via": _ref(s.via),
        "archive_url": s.archive_url,
        "accessed_on": s.accessed_on.isoformat() if s.accessed_on else "",
        "retitle": "",
    }


def relation_row(r: CompanyRelation) -> dict[str, str]:
    return {
        "from_company": r.from_company.slug,
        "kind": r.kind,
        "to_company": r.to_company.slug,
        "source": _ref(r.source),
        "note": r.note,
    }


def facility_row(f: Facility) -> dict[str, str]:
    row = {
        name: getattr(f, name)
        for name in ("slug", "name", "kind", "status", "province", "city", "district", "address")
    }
    row |= {name: getattr(f, name) for name in ("location_accuracy", "cell_format")}
    row |= {name: getattr(f, name) for name in ("capacity_unit", "investment_currency")}
    row |= {
        name: number_text(getattr(f, name))
        for name in ("latitude", "longitude", "capacity_value", "investment_amount")
        + ("cell_ah", "cell_nominal_voltage")
    }
    return row | {
        "company": f.company.slug,
        "country": f.country.code,
        "technology": f.technology.slug if f.technology else "",
        "description": f.description,
        "source": _ref(f.source),
    }


def milestone_row(m: Milestone) -> dict[str, str]:
    numbers = ("capacity_value", "energy_density_wh_kg", "energy_density_wh_l", "cell_ah")
    numbers += ("cycle_life",)
    return {
        "slug": m.slug,
        "company": m.company.slug,
        "facility": m.facility.slug if m.facility else "",
        "partners": "; ".join(sorted(p.slug for p in m.partners.all())),
        "title": m.title,
        "kind": m.kind,
        "description": m.description,
        "technology": m.technology.slug if m.technology else "",
        "capacity_unit": m.capacity_unit,
    } | {name: number_text(getattr(m, name)) for name in numbers}


def claim_row(c: Claim) -> dict[str, str]:
    return {
        "source": _ref(c.source),
        "company": c.milestone.company.slug,
        "milestone": c.milestone.slug,
        "kind": c.kind,
        "stated_on": _date(c.stated_on, c.stated_on_precision),
        "speaker": c.speaker,
        "standing": c.standing,
        "target": c.target_text,
        "achieved_on": _date(c.achieved_on, c.achieved_on_precision),
        "evidence": Claim.Evidence(c.evidence).name.lower() if c.evidence else "",
        "quote": c.quote,
    }


def export_sheets() -> dict[str, list[dict[str, str]]]:
    """Every stored record as the workbook's rows, in an order the import reads back."""
    sources = Source.objects.select_related("via").order_by("via_id", "published_on", "pk")
    return {
        "companies": [
            company_row(c)
            for c in Company.objects.prefetch_related("technologies").order_by("slug")
        ],
        "sources": [source_row(s) for s in sources if s.via_id is None]
        + [source_row(s) for s in sources if s.via_id is not None],
        "relations": [
            relation_row(r)
            for r in CompanyRelation.objects.select_related(
                "from_company", "to_company", "source"
            ).order_by("pk")
        ],
        "facilities": [
            facility_row(f)
            for f in Facility.objects.select_related("company", "technology", "source").order_by(
                "slug"
            )
        ],
        "milestones": [
            milestone_row(m)
            for m in Milestone.objects.select_related("company", "facility", "technology")
            .prefetch_related("partners")
            .order_by("slug")
        ],
        "claims": [
            claim_row(c)
            for c in Claim.objects.select_related("milestone__company", "source").order_by(
                "milestone__slug", "stated_on", "pk"
            )
        ],
    }


#: One filled example row per sheet: a new company, its facility and milestone, a source, a
#: relation and a claim, which import as they are into an empty tracker.
TEMPLATE_SHEETS = {
    "companies": [
        {
            "slug": "example-cells",
            "name": "Example Cells",
            "native_name": "示例电池",
            "aliases": "Example Cells Co., Ltd.; 示例",
            "country": "CN",
            "role": "cell_maker",
            "technologies": "sulfide",
            "hq_city": "Chengdu",
            "website": "https://example-cells.example.com",
            "fiscal_year_start_month": "",
            "description": "An example cell maker: replace this row with a real one.",
        },
        {
            "slug": "example-equipment",
            "name": "Example Equipment",
            "country": "CN",
            "role": "equipment_supplier",
        },
    ],
    "sources": [
        {
            "url": "https://news.example.com/example-cells-line",
            "title": "Example Cells rolls out its first all-solid-state cell",
            "publisher": "Example News",
            "kind": "news",
            "published_on": "2025-09",
            "language": "en",
        }
    ],
    "relations": [
        {
            "from_company": "example-equipment",
            "kind": "supplier",
            "to_company": "example-cells",
            "source": "https://news.example.com/example-cells-line",
            "note": "Supplies the Chengdu line.",
        }
    ],
    "facilities": [
        {
            "slug": "example-cells-chengdu",
            "company": "example-cells",
            "name": "Example Cells Chengdu base",
            "kind": "pilot_line",
            "status": "construction",
            "country": "CN",
            "province": "Sichuan",
            "city": "Chengdu",
            "capacity_value": "100",
            "capacity_unit": "mwh_per_year",
            "source": "https://news.example.com/example-cells-line",
        }
    ],
    "milestones": [
        {
            "slug": "example-cells-chengdu-phase-1",
            "company": "example-cells",
            "facility": "example-cells-chengdu",
            "title": "Chengdu phase 1 completed",
            "kind": "capacity_phase",
        }
    ],
    "claims": [
        {
            "source": "https://news.example.com/example-cells-line",
            "company": "Example Cells",
            "milestone": "example-cells-chengdu-phase-1",
            "kind": "announcement",
            "stated_on": "2025-09",
            "speaker": "the chairman",
            "standing": "company",
            "target": "2026年底",
            "quote": "The first phase will be completed by the end of 2026.",
        }
    ],
}
