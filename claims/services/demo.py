"""Loading the demo data set: the readable YAML files in claims/demo/, through model forms (the
validation an editor gets in the admin), matched on natural keys so that loading twice changes
nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django import forms
from django.db import models, transaction

from claims.dates import PartialDateError, parse_partial_date
from claims.forms import partial_date_form
from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source, Technology
from claims.urlnorm import normalise_url

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
SECTIONS = ["sources", "companies", "relations", "facilities", "milestones"]


class DemoDataError(Exception):
    """The data set has entries that fail validation; nothing was saved."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, model: type[models.Model]) -> None:
        counts = getattr(self, bucket)
        name = model._meta.verbose_name_plural
        counts[name] = counts.get(name, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        def fmt(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "nothing"

        return (
            f"created {fmt(self.created)}; updated {fmt(self.updated)}; "
            f"unchanged {fmt(self.unchanged)}"
        )


def _text(value: Any) -> str:
    """A date as YAML gives it ('2025-09', 2025, a date) as the text a form reads."""
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


#: The partial dates of each model, typed as precisely as the source gives them.
PARTIAL_DATES = {
    Claim: ("stated_on", "achieved_on"),
    Source: ("published_on",),
}


def form_for(model: type[models.Model], fields: list[str]) -> type[forms.ModelForm]:
    dates = tuple(name for name in PARTIAL_DATES.get(model, ()) if name in fields)
    if dates:
        return partial_date_form(model, fields, dates)
    return forms.modelform_factory(model, fields=fields)


class _Loader:
    def __init__(self) -> None:
        self.report = LoadReport()
        self.errors: list[str] = []
        self.sources: dict[str, Source] = {}
        self.companies: dict[str, Company] = {}
        self.facilities: dict[str, Facility] = {}
        self.technologies = {t.slug: t.pk for t in Technology.objects.all()}

    # -- one save through a model form ---------------------------------------------------------
    def save(self, model, instance, data: dict, where: str):
        form = form_for(model, list(data))(data=data, instance=instance)
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
            self.errors.append(f"{where}: {problems}")
            return instance
        if instance is not None and instance.pk and not form.has_changed():
            self.report.count("unchanged", model)
            return instance
        self.report.count("updated" if instance is not None and instance.pk else "created", model)
        return form.save()

    def ref(self, table: dict, key: str | None, what: str, where: str):
        if key in (None, ""):
            return None
        if key not in table:
            self.errors.append(f"{where}: unknown {what} {key!r}")
            return None
        return table[key]

    # -- sections ------------------------------------------------------------------------------
    def load_source(self, entry: dict, where: str) -> None:
        via = self.ref(self.sources, entry.get("via"), "source", where)
        url = entry.get("url") or ""
        if url:
            instance = Source.objects.filter(url_key=normalise_url(url)).first()
        else:
            instance = Source.objects.filter(url="", title=entry["title"], via=via).first()
        data = {
            "url": instance.url if instance is not None and url else url,
            "title": entry.get("title", ""),
            "publisher": entry.get("publisher", ""),
            "kind": entry.get("kind", "news"),
            "published_on": _text(entry.get("published_on")),
            "language": entry.get("language", "en"),
            "via": via.pk if via else None,
            "archive_url": entry.get("archive_url", ""),
            "accessed_on": _text(entry.get("accessed_on")),
        }
        source = self.save(Source, instance, data, where)
        if source is not None and entry.get("key"):
            self.sources[entry["key"]] = source

    def load_company(self, entry: dict, where: str) -> None:
        techs = [self.technologies.get(t) for t in entry.get("technologies", [])]
        if None in techs:
            self.errors.append(f"{where}: unknown technology in {entry.get('technologies')}")
            techs = [t for t in techs if t]
        data = {
            "slug": entry.get("slug", ""),
            "name": entry.get("name", ""),
            "native_name": entry.get("native_name", ""),
            "aliases": "\n".join(entry.get("aliases", [])),
            "country": entry.get("country", ""),
            "role": entry.get("role", ""),
            "technologies": techs,
            "hq_city": entry.get("hq_city", ""),
            "website": entry.get("website", ""),
            "tickers": str(entry.get("tickers", "")),
            "fiscal_year_start_month": entry.get("fiscal_year_start_month"),
            "description": entry.get("description", ""),
        }
        instance = Company.objects.filter(slug=data["slug"]).first()
        company = self.save(Company, instance, data, where)
        if company is not None:
            self.companies[data["slug"]] = company

    def load_relation(self, entry: dict, where: str) -> None:
        a = self.ref(self.companies, entry.get("from"), "company", where)
        b = self.ref(self.companies, entry.get("to"), "company", where)
        source = self.ref(self.sources, entry.get("source"), "source", where)
        if not (a and b and source):
            return
        instance = CompanyRelation.objects.filter(
            from_company=a, kind=entry.get("kind"), to_company=b
        ).first()
        data = {
            "from_company": a.pk,
            "kind": entry.get("kind", ""),
            "to_company": b.pk,
            "source": source.pk,
            "note": entry.get("note", ""),
        }
        self.save(CompanyRelation, instance, data, where)

    #: The entry's fields given as text ("" when absent) and as values (None when absent).
    FACILITY_TEXTS = ("slug", "name", "kind", "status", "country", "province", "city", "district")
    FACILITY_TEXTS += ("address", "location_accuracy", "cell_format", "capacity_unit")
    FACILITY_TEXTS += ("investment_currency", "description")
    FACILITY_VALUES = ("latitude", "longitude", "capacity_value", "investment_amount")
    FACILITY_VALUES += ("cell_ah", "cell_nominal_voltage")
    MILESTONE_TEXTS = ("slug", "title", "kind", "description", "capacity_unit")
    MILESTONE_VALUES = ("capacity_value", "energy_density_wh_kg", "energy_density_wh_l", "cell_ah")
    MILESTONE_VALUES += ("cycle_life",)

    def fields(self, entry: dict, texts: Sequence[str], values: Sequence[str]) -> dict:
        """The entry's fields, and its technology looked up by slug."""
        tech = entry.get("technology")
        return (
            {key: entry.get(key, "") for key in texts}
            | {key: entry.get(key) for key in values}
            | {"technology": self.technologies.get(tech) if tech else None}
        )

    def load_facility(self, entry: dict, where: str) -> None:
        company = self.ref(self.companies, entry.get("company"), "company", where)
        source = self.ref(self.sources, entry.get("source"), "source", where)
        data = self.fields(entry, self.FACILITY_TEXTS, self.FACILITY_VALUES)
        data |= {
            "company": company.pk if company else None,
            "source": source.pk if source else None,
        }
        instance = Facility.objects.filter(slug=data["slug"]).first()
        facility = self.save(Facility, instance, data, where)
        if facility is not None:
            self.facilities[data["slug"]] = facility

    def load_milestone(self, entry: dict, where: str) -> None:
        company = self.ref(self.companies, entry.get("company"), "company", where)
        facility = self.ref(self.facilities, entry.get("facility"), "facility", where)
        data = self.fields(entry, self.MILESTONE_TEXTS, self.MILESTONE_VALUES)
        partners = [
            self.ref(self.companies, slug, "company", where) for slug in entry.get("partners", [])
        ]
        data |= {
            "company": company.pk if company else None,
            "facility": facility.pk if facility else None,
            "partners": [p.pk for p in partners if p],
        }
        instance = Milestone.objects.filter(slug=data["slug"]).first()
        milestone = self.save(Milestone, instance, data, where)
        if milestone is None or not milestone.pk:
            return
        for n, claim in enumerate(entry.get("claims", []), start=1):
            self.load_claim(milestone, claim, f"{where}, claim {n}")

    def load_claim(self, milestone: Milestone, entry: dict, where: str) -> None:
        source = self.ref(self.sources, entry.get("source"), "source", where)
        if source is None:
            return
        try:
            stated_on, _ = parse_partial_date(_text(entry.get("stated_on")))
        except PartialDateError as exc:
            self.errors.append(f"{where}: stated_on: {exc}")
            return
        evidence = entry.get("evidence")
        data = {
            "milestone": milestone.pk,
            "kind": entry.get("kind", ""),
            "stated_on": _text(entry.get("stated_on")),
            "speaker": entry.get("speaker", ""),
            "standing": entry.get("standing", Claim.Standing.COMPANY),
            "target_text": str(entry.get("target", "")),
            "achieved_on": _text(entry.get("achieved_on")),
            "evidence": Claim.Evidence[evidence.upper()].value if evidence else None,
            "source": source.pk,
            "quote": entry.get("quote", ""),
        }
        instance = Claim.objects.filter(
            milestone=milestone, source=source, kind=data["kind"], stated_on=stated_on
        ).first()
        self.save(Claim, instance, data, where)


def load_demo_data(*, directory: Path = DEMO_DIR) -> LoadReport:
    """Load every claims/demo/*.yaml file in one transaction, section by section.

    Raises DemoDataError listing every invalid entry; then nothing is saved.
    """
    loader = _Loader()
    handlers = {
        "sources": loader.load_source,
        "companies": loader.load_company,
        "relations": loader.load_relation,
        "facilities": loader.load_facility,
        "milestones": loader.load_milestone,
    }
    documents = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(document) - set(SECTIONS)
        if unknown:
            loader.errors.append(f"{path.name}: unknown sections {sorted(unknown)}")
        documents.append((path.name, document))
    with transaction.atomic():
        # Section by section across all files, so any file may cite any source or company.
        for section in SECTIONS:
            for name, document in documents:
                for n, entry in enumerate(document.get(section) or [], start=1):
                    label = entry.get("slug") or entry.get("key") or n
                    handlers[section](entry, f"{name} {section} {label}")
        if loader.errors:
            transaction.set_rollback(True)
            raise DemoDataError("\n".join(loader.errors))
    return loader.report
