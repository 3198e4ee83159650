"""Checking one row of an import: the row forms (model-form validation without a query a row),
matching companies, the warnings and how a row was understood, and running rows in one
transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django import forms
from django.db import transaction

from claims.dates import PartialDateError, parse_partial_date
from claims.forms import PartialDatesMixin
from claims.imports.files import ImportReport, RowResult
from claims.models import Claim, Company, Source
from claims.models.base import partial_date_bounds
from claims.services import form_for


def _save(model, instance, data: dict, result: RowResult, what: str):
    """Validate through a model form and save; note the action or the errors on the row."""
    form = form_for(model, list(data))(data=data, instance=instance)
    if not form.is_valid():
        for name, messages in form.errors.items():
            label = what if name == "__all__" else f"{what} {name.replace('_', ' ')}"
            result.errors.extend(f"{label}: {m}" for m in messages)
        return None
    if instance is not None and instance.pk and not form.has_changed():
        return instance
    action = "update" if instance is not None and instance.pk else "create"
    if result.action != "create":
        result.action = action
    return form.save()


class CompanyMatch(NamedTuple):
    company: Company | None
    #: The alias it was found by, when not by slug or name (the preview warns).
    alias: str = ""
    error: str = ""


class CompanyMatcher:
    """Companies as a file names them: by slug, then name or native name, then alias, each
    case-insensitively. Two companies answering at the first level that answers is an error
    (name the company by its slug); an alias match is allowed with a warning."""

    def __init__(self, companies: Iterable[Company] | None = None) -> None:
        if companies is None:
            companies = Company.objects.only("pk", "slug", "name", "native_name", "aliases")
        self.levels: tuple[dict[str, list[Company]], ...] = ({}, {}, {})
        for company in companies:
            names = [company.name, company.native_name]
            keyed = ([company.slug], names, company.alias_list)
            for level, values in zip(self.levels, keyed, strict=True):
                for value in {v.strip().casefold() for v in values if v and v.strip()}:
                    level.setdefault(value, []).append(company)

    def match(self, value: str) -> CompanyMatch:
        key = value.strip().casefold()
        for depth, level in enumerate(self.levels):
            found = level.get(key, [])
            if len(found) == 1:
                return CompanyMatch(found[0], alias=value if depth == 2 else "")
            if found:
                names = " and ".join(f"{c.name} ({c.slug})" for c in found)
                return CompanyMatch(
                    None, error=f"company: “{value}” names {names}: give the company's slug."
                )
        return CompanyMatch(
            None,
            error=f"company: no company has the slug, name, native name or alias “{value}”.",
        )


def find_company(value: str) -> Company | None:
    """The one company `value` names (slug, name, native name or alias), if exactly one."""
    return CompanyMatcher().match(value).company


#: How far a claim's date may lie from its source's before the preview warns: a source
#: reports what was said before it appeared, rarely more than a year before, and cannot report
#: what was said after it (a week's slack for time zones and updated pages).
STATED_BEFORE_SOURCE_DAYS = 365
STATED_AFTER_SOURCE_DAYS = 7


def date_warnings(claim: Claim, source: Source) -> list[str]:
    """Non-blocking doubts about a claim's date against its source's publication date."""
    if claim.stated_on is None or source.published_on is None:
        return []
    claim.fill_date_bounds()
    published_first, published_last = partial_date_bounds(
        source.published_on, source.published_on_precision
    )
    if (published_first - claim.stated_on_latest).days > STATED_BEFORE_SOURCE_DAYS:
        return [
            f"stated {claim.stated_label}, more than a year before its source appeared "
            f"({source.published_label}): check the claim's date, or cite the earlier source."
        ]
    if (claim.stated_on - published_last).days > STATED_AFTER_SOURCE_DAYS:
        return [
            f"stated {claim.stated_label}, after its source appeared ({source.published_label}): "
            "a source cannot report what was said later; check both dates."
        ]
    return []


def _run(
    rows: list[dict[str, str]], handle, dry_run: bool, order=None, before=None
) -> ImportReport:
    numbered = list(enumerate(rows, start=2))
    if order is not None:
        numbered.sort(key=lambda pair: order(pair[1]))
    results = []
    with transaction.atomic():
        if before is not None:
            before()
        for line, row in numbered:
            result = RowResult(line=line, summary="")
            with transaction.atomic():
                handle(row, result)
            results.append(result)
        report = ImportReport(sorted(results, key=lambda r: r.line), dry_run)
        if not report.saved:
            transaction.set_rollback(True)
    return report


class StaleImportError(Exception):
    """A record the import would update was changed by someone else while it ran."""


class FastValidation:
    """Model-form validation without a query per row: the import matches rows on the
    natural keys of the unique constraints itself, and clean() repeats each check constraint
    (the database still enforces both when the rows are written)."""

    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


SOURCE_FIELDS = ["url", "title", "publisher", "kind", "published_on", "published_on_precision"]
SOURCE_FIELDS += ["language", "archive_url", "accessed_on"]
CLAIM_FIELDS = ["kind", "stated_on", "stated_on_precision", "speaker", "standing"]
CLAIM_FIELDS += ["target_text", "achieved_on", "achieved_on_precision", "evidence", "quote"]
#: Written with the fields: each partial date's last day, derived from the first and the
#: precision (Source.fill_date_bounds, Claim.fill_date_bounds).
SOURCE_DERIVED = ["published_on_latest", "url_key"]
CLAIM_DERIVED = ["stated_on_latest", "achieved_on_latest"]
#: The foreign keys are resolved by the import (from the file's keys) and set on the
#: instance, not looked up once a row through a model choice field. Dates are typed as
#: precisely as the source gives them.
SourceRowForm = type(
    "SourceRowForm",
    (PartialDatesMixin, FastValidation, forms.ModelForm),
    {
        "Meta": type("Meta", (), {"model": Source, "fields": SOURCE_FIELDS}),
        "partial_dates": ("published_on",),
    },
)
ClaimRowForm = type(
    "ClaimRowForm",
    (PartialDatesMixin, FastValidation, forms.ModelForm),
    {
        "Meta": type("Meta", (), {"model": Claim, "fields": CLAIM_FIELDS}),
        "partial_dates": ("stated_on", "achieved_on"),
    },
)


def understood(claim: Claim) -> list[str]:
    """How a checked claim row was read: its dates at their precision with their bounds, its
    target as a period, the speaker's standing."""
    claim.fill_date_bounds()
    said = (
        f"said {claim.stated_label} (known from {claim.stated_on_latest:%-d %b %Y})"
        if claim.stated_on_precision != "day"
        else f"said {claim.stated_label}"
    )
    lines = [f"{said}, by {claim.get_standing_display().lower()}"]
    if claim.target_text:
        due = f"due by {claim.target_latest:%-d %b %Y}" if claim.target_latest else "never due"
        lines.append(f"target “{claim.target_text}” read as {claim.target_label} ({due})")
    if claim.achieved_on:
        lines.append(
            f"achieved {claim.achieved_label} "
            f"({claim.achieved_on:%-d %b %Y} to {claim.achieved_on_latest:%-d %b %Y})"
        )
    if not claim.counts:
        lines.append("shown in the history, not counted in status or slip")
    return lines


def read_evidence(text: str) -> int | None:
    """The evidence level a row names ("official_record"), None when blank; a ValueError
    names the levels when the text is none of them."""
    if not text:
        return None
    try:
        return Claim.Evidence[text.upper()].value
    except KeyError:
        names = ", ".join(e.name.lower() for e in Claim.Evidence)
        raise ValueError(f"“{text}” is not one of {names}.") from None


def read_claim_row(row: dict[str, str]) -> tuple[date, dict]:
    """A claim row's stated day (the first of its period, part of the claim's natural key) and
    the data of its row form. A ValueError names the column: "stated on: …", "evidence: …"."""
    try:
        stated_on, _ = parse_partial_date(row.get("stated_on", ""))
    except PartialDateError as exc:
        raise ValueError(f"stated on: {exc}") from None
    try:
        evidence = read_evidence(row.get("evidence", ""))
    except ValueError as exc:
        raise ValueError(f"evidence: {exc}") from None
    data = {
        "kind": row.get("kind", ""),
        "stated_on": row.get("stated_on", ""),
        "speaker": row.get("speaker", ""),
        "standing": row.get("standing") or Claim.Standing.COMPANY,
        "target_text": row.get("target", ""),
        "achieved_on": row.get("achieved_on", ""),
        "evidence": evidence,
        "quote": row.get("quote", ""),
    }
    return stated_on, data


def claim_key(milestone_id: int, source_id: int, kind: str, stated_on: date) -> tuple:
    """A claim's natural key, in a file and in the database: its milestone, its source, its
    kind and the day it was stated."""
    return (milestone_id, source_id, kind, stated_on)


def note_errors(form, what: str, result: RowResult) -> None:
    """A row form's errors into the row's result, each named after its column."""
    for name, messages in form.errors.items():
        label = what if name == "__all__" else f"{what} {name.replace('_', ' ')}"
        result.errors.extend(f"{label}: {m}" for m in messages)


def source_warnings(instance: Source, url: str, title: str) -> list[str]:
    """What a row that names a known source (by its URL's key) would have changed."""
    warnings = []
    if url != instance.url:
        where = f"source #{instance.pk}" if instance.pk else "a source earlier in this file"
        warnings.append(
            f"near-duplicate source: {url} is the page of {where} ({instance.url}); the row "
            "cites that source and its URL is kept."
        )
    if title != instance.title:
        warnings.append(
            f"source title differs: kept “{instance.title}”; the file says “{title}”; change "
            "it in the admin if the file is right."
        )
    return warnings
