"""Writes that touch several models: loading the demo data set, merging sources, and the
next target an achievement report states.

The demo data is a readable YAML data set in claims/demo/. It is loaded through model forms,
the same validation an editor's input gets in the admin, and matched on natural keys so that
loading it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims.dates import PartialDateError, parse_partial_date
from claims.forms import partial_date_form
from claims.locking import lock_rows
from claims.models import (
    Claim,
    Company,
    CompanyRelation,
    Facility,
    Milestone,
    Source,
    Technology,
)
from claims.urlnorm import normalise_url

DEMO_DIR = Path(__file__).resolve().parent / "demo"
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

    def load_facility(self, entry: dict, where: str) -> None:
        company = self.ref(self.companies, entry.get("company"), "company", where)
        source = self.ref(self.sources, entry.get("source"), "source", where)
        tech = entry.get("technology")
        data = {
            key: entry.get(key, "")
            for key in (
                "slug",
                "name",
                "kind",
                "status",
                "country",
                "province",
                "city",
                "district",
                "address",
                "location_accuracy",
                "cell_format",
                "capacity_unit",
                "investment_currency",
                "description",
            )
        }
        data |= {
            key: entry.get(key)
            for key in (
                "latitude",
                "longitude",
                "capacity_value",
                "investment_amount",
            )
        }
        data |= {
            "company": company.pk if company else None,
            "source": source.pk if source else None,
            "technology": self.technologies.get(tech) if tech else None,
        }
        instance = Facility.objects.filter(slug=data["slug"]).first()
        facility = self.save(Facility, instance, data, where)
        if facility is not None:
            self.facilities[data["slug"]] = facility

    def load_milestone(self, entry: dict, where: str) -> None:
        company = self.ref(self.companies, entry.get("company"), "company", where)
        facility = self.ref(self.facilities, entry.get("facility"), "facility", where)
        tech = entry.get("technology")
        data = {
            key: entry.get(key, "")
            for key in (
                "slug",
                "title",
                "kind",
                "description",
                "capacity_unit",
            )
        }
        data |= {
            key: entry.get(key)
            for key in (
                "capacity_value",
                "energy_density_wh_kg",
                "energy_density_wh_l",
                "cell_ah",
            )
        }
        partners = [
            self.ref(self.companies, slug, "company", where) for slug in entry.get("partners", [])
        ]
        data |= {
            "company": company.pk if company else None,
            "facility": facility.pk if facility else None,
            "technology": self.technologies.get(tech) if tech else None,
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


# -- merging sources ----------------------------------------------------------------------------


class MergeRefused(Exception):
    """A merge that would lose or break something; nothing was changed."""


@dataclass
class MergeResult:
    kept: Source
    deleted: list[int]
    claims: int = 0
    relations: int = 0
    facilities: int = 0
    reported: int = 0


def merge_reason(keep: Source) -> str:
    return f"merged into source #{keep.pk}"


@transaction.atomic
def merge_sources(
    *,
    keep: Source,
    merge: Sequence[Source],
    versions: Mapping[int, int] | None = None,
    user=None,
) -> MergeResult:
    """Merge `merge` into `keep`: every claim, relation and facility citing them, and every
    source reported via them, then cites `keep`; they are deleted. Each change is saved with
    its history (change reason "merged into source #N", by `user`).

    One transaction; the rows are locked first in the one lock order (claims/locking.py) and
    checked against `versions` (source id → the version the editor saw). Refused, with nothing
    changed, when a source changed meanwhile, when two claims would become one statement (same
    milestone, kind and date from one source), when `keep` is reported via a source it absorbs,
    or when a moved claim would break a rule with its new source (an official record cited from
    a news report).
    """
    ids = sorted({s.pk for s in merge} - {keep.pk})
    if not ids:
        raise MergeRefused("Choose at least one other source to merge into the one you keep.")
    every = [keep.pk, *ids]
    claims = Claim.objects.filter(source_id__in=ids)
    relations = CompanyRelation.objects.filter(source_id__in=ids)
    facilities = Facility.objects.filter(source_id__in=ids)
    reported = Source.objects.filter(via_id__in=ids).exclude(pk__in=ids)
    lock_rows(
        {
            Source: [*every, *reported.values_list("pk", flat=True)],
            CompanyRelation: relations.values_list("pk", flat=True),
            Facility: facilities.values_list("pk", flat=True),
            Milestone: claims.values_list("milestone_id", flat=True),
            Claim: claims.values_list("pk", flat=True),
        }
    )
    sources = {s.pk: s for s in Source.objects.filter(pk__in=every)}
    if len(sources) != len(every):
        gone = sorted(set(every) - set(sources))
        raise MergeRefused(
            f"Source #{gone[0]} no longer exists (another editor deleted or merged it): "
            "nothing was merged."
        )
    for pk, seen in (versions or {}).items():
        if pk in sources and sources[pk].version != seen:
            raise MergeRefused(
                f"Source #{pk} was changed by another editor while you were choosing: nothing "
                "was merged. Open the merge again to see the current sources."
            )
    keep = sources[keep.pk]
    if keep.via_id in ids:
        raise MergeRefused(
            f"Source #{keep.pk} is reported via source #{keep.via_id}, which this merge would "
            "delete: keep that one instead, or change the “via” first."
        )
    _refuse_colliding_claims(keep, ids)
    reason = merge_reason(keep)
    result = MergeResult(kept=keep, deleted=ids)
    problems = []
    for claim in claims.select_related("milestone__company", "source").order_by("pk"):
        claim.source = keep
        try:
            claim.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            text = " ".join(m for messages in exc.message_dict.values() for m in messages)
            problems.append(f"claim #{claim.pk} ({claim}): {text}")
            continue
        _save_with_reason(claim, reason, user)
        result.claims += 1
    if problems:
        raise MergeRefused(
            "Some claims would break a rule with the kept source, so nothing was merged: "
            + "; ".join(problems)
        )
    for relation in relations.order_by("pk"):
        relation.source = keep
        _save_with_reason(relation, reason, user)
        result.relations += 1
    for facility in facilities.order_by("pk"):
        facility.source = keep
        _save_with_reason(facility, reason, user)
        result.facilities += 1
    for source in reported.order_by("pk"):
        source.via = keep
        _save_with_reason(source, reason, user)
        result.reported += 1
    # Merged sources reported via one another: each loses its "via" before any is deleted.
    for pk in ids:
        source = sources[pk]
        if source.via_id in ids:
            source.via = keep
            _save_with_reason(source, reason, user)
    for pk in ids:
        source = sources[pk]
        source._change_reason = reason
        source._history_user = user
        source.delete()
    return result


def _refuse_colliding_claims(keep: Source, ids: list[int]) -> None:
    """Two claims of the same milestone, kind and date would become one source's two
    statements: the unique constraint refuses that, so the merge says which first."""
    seen: dict[tuple, Claim] = {}
    clashes = []
    claims = Claim.objects.filter(source_id__in=[keep.pk, *ids]).select_related(
        "milestone__company"
    )
    for claim in claims.order_by("source_id", "pk"):
        key = (claim.milestone_id, claim.kind, claim.stated_on)
        if key in seen:
            first = seen[key]
            clashes.append(
                f"claim #{first.pk} (source #{first.source_id}) and claim #{claim.pk} (source "
                f"#{claim.source_id}) are both a {claim.get_kind_display().lower()} of "
                f"“{claim.milestone}” stated {claim.stated_label}"
            )
        else:
            seen[key] = claim
    if clashes:
        raise MergeRefused(
            "These claims would become the same statement of one source, so nothing was "
            "merged: " + "; ".join(clashes) + ". Delete or correct one of each pair first."
        )


def _save_with_reason(instance: models.Model, reason: str, user) -> None:
    instance._change_reason = reason
    instance._history_user = user
    instance.save()


# -- an achievement report that also states the next target ------------------------------------


def next_claim(*, claim: Claim, milestone: Milestone, target_text: str) -> Claim:
    """The claim an achievement report's next target becomes (unsaved): the same source,
    date, speaker, standing and quote; an announcement when the milestone has no target yet
    from its own parties, a reaffirmation when the target reads as the current one, else a
    revision. A third party's next target is its view."""
    next_one = Claim(
        milestone=milestone,
        source_id=claim.source_id,
        stated_on=claim.stated_on,
        stated_on_precision=claim.stated_on_precision,
        speaker=claim.speaker,
        standing=claim.standing,
        target_text=target_text,
        quote=claim.quote,
    )
    if claim.standing not in Claim.PARTY_STANDINGS:
        next_one.kind = Claim.Kind.VIEW
        return next_one
    earlier = (
        Claim.objects.filter(
            milestone=milestone,
            kind__in=Claim.TARGET_KINDS,
            standing__in=Claim.PARTY_STANDINGS,
        )
        .exclude(pk=claim.pk)
        .order_by("-stated_on_latest", "-stated_on", "-pk")
        .first()
        if milestone.pk
        else None
    )
    if earlier is None:
        next_one.kind = Claim.Kind.ANNOUNCEMENT
        return next_one
    next_one.kind = Claim.Kind.REVISION
    errors: dict[str, str] = {}
    next_one._clean_target(errors)  # reads the target the way a save would
    same = (next_one.target_earliest, next_one.target_latest, next_one.target_precision) == (
        earlier.target_earliest,
        earlier.target_latest,
        earlier.target_precision,
    )
    if not errors and same:
        next_one.kind = Claim.Kind.REAFFIRMATION
    return next_one


@transaction.atomic
def add_next_claim(*, claim: Claim, milestone: Milestone, target_text: str, user=None) -> Claim:
    """Save the next target an achievement report states as its own claim, linked to the
    report (`stated_with`)."""
    next_one = next_claim(claim=claim, milestone=milestone, target_text=target_text)
    next_one.source = claim.source
    next_one.stated_with = claim
    lock_rows({Milestone: [milestone.pk]})
    next_one.full_clean()
    next_one._history_user = user
    next_one.save()
    return next_one
