"""CSV import and export of sources with their claims, and of milestones.

Rows go through model forms (the admin's validation), in one transaction: a dry run, or a
file with any bad row, saves nothing. Rows are matched on natural keys, so importing the
same file again changes nothing. Companies and milestones are matched by slug or name and
never invented from a claim row: an unknown one is reported.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.csvcells import restore
from claims.dates import PartialDateError, parse_partial_date, partial_date_text
from claims.forms import PartialDatesMixin
from claims.locking import lock_rows
from claims.models import Claim, Company, Facility, Milestone, Source
from claims.models.base import partial_date_bounds
from claims.services import form_for
from claims.urlnorm import normalise_url

MAX_ROWS = 5000
#: How long a previewed file waits for its confirmation.
UPLOAD_SECONDS = 3600

CLAIM_COLUMNS = [
    "source_url",
    "source_title",
    "source_publisher",
    "source_kind",
    "source_published_on",
    "source_language",
    "source_via_url",
    "company",
    "milestone",
    "kind",
    "stated_on",
    "speaker",
    "standing",
    "target",
    "achieved_on",
    "evidence",
    "quote",
]
CLAIM_REQUIRED = [
    "source_title",
    "source_publisher",
    "source_published_on",
    "company",
    "milestone",
    "kind",
    "stated_on",
]
MILESTONE_REQUIRED = ["slug", "company_slug", "title", "kind"]


class ImportFileError(Exception):
    """The file as a whole cannot be read: not CSV, missing columns, too long."""


@dataclass
class RowResult:
    line: int
    summary: str
    action: str = "unchanged"  # "create", "update", "unchanged" or "error"
    errors: list[str] = field(default_factory=list)
    #: How the row's dates, target and speaker were read, for the editor to check.
    understood: list[str] = field(default_factory=list)
    #: Doubts that do not block the import: a claim dated far from its source, a source title
    #: the file would change, a near-duplicate source URL, a company matched by alias.
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not any(r.errors for r in self.rows)

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def warning_count(self) -> int:
        return sum(len(r.warnings) for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "error")}


def read_csv(text: str, required: list[str]) -> list[dict[str, str]]:
    text = text.lstrip("\ufeff")
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"This is not a readable CSV file: {exc}.") from None
    if missing := [c for c in required if c not in header]:
        raise ImportFileError(
            "The file lacks these columns: "
            + ", ".join(missing)
            + ". The first line must name the columns."
        )
    if not rows:
        raise ImportFileError("The file has a header but no rows.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(rows)} rows; import at most {MAX_ROWS}.")
    # Cells the export neutralised (a quote before a formula character) read back as written.
    return [{k: restore(v or "").strip() for k, v in row.items() if k} for row in rows]


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


class _Fast:
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
    (PartialDatesMixin, _Fast, forms.ModelForm),
    {
        "Meta": type("Meta", (), {"model": Source, "fields": SOURCE_FIELDS}),
        "partial_dates": ("published_on",),
    },
)
ClaimRowForm = type(
    "ClaimRowForm",
    (PartialDatesMixin, _Fast, forms.ModelForm),
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


def _errors(form, what: str, result: RowResult) -> None:
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


class _ClaimPlan:
    """What a claims file would write, read with a few queries whatever its length."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.rows = rows
        self.company_matcher = CompanyMatcher()
        self.milestones: dict[tuple[int, str], Milestone] = {}
        wanted = {r["company"] for r in rows}
        ids = {m.company.pk for m in map(self.company_matcher.match, wanted) if m.company}
        for m in Milestone.objects.filter(company_id__in=ids).only(
            "pk", "slug", "title", "company_id", "version"
        ):
            self.milestones[(m.company_id, m.slug)] = m
            self.milestones.setdefault((m.company_id, m.title.lower()), m)
        urls = {r.get("source_url", "") for r in rows} | {r.get("source_via_url", "") for r in rows}
        keys = {normalise_url(url) for url in urls} - {""}
        #: Sources by the key their URL is compared by (Source.url_key): a row's URL in
        #: another spelling (http, www., a ?utm_ tail) finds the same source.
        self.sources_by_key = {s.url_key: s for s in Source.objects.filter(url_key__in=keys)}
        titles = {r["source_title"] for r in rows if not r.get("source_url")}
        self.sources_by_title = {
            (s.title, s.via_id): s for s in Source.objects.filter(url="", title__in=titles)
        }
        self.new_sources: dict = {}
        self.checked_sources: dict = {}
        self.changed_sources: dict[int, Source] = {}
        self.claims: dict[tuple, Claim] = {}
        self.new_claims: list[Claim] = []
        self.changed_claims: list[Claim] = []
        self.seen_versions: dict[type, dict[int, int]] = {Source: {}, Claim: {}}
        self.touched_milestones: set[int] = set()

    def existing_claims(self) -> None:
        milestone_ids = {m.pk for m in self.milestones.values()}
        source_ids = {s.pk for s in self.sources_by_key.values()}
        source_ids |= {s.pk for s in self.sources_by_title.values()}
        for claim in Claim.objects.filter(milestone_id__in=milestone_ids, source_id__in=source_ids):
            key = (claim.milestone_id, claim.source_id, claim.kind, claim.stated_on)
            self.claims[key] = claim

    # -- one row -------------------------------------------------------------------------------
    def source(self, row: dict[str, str], result: RowResult) -> Source | None:
        via = None
        if row.get("source_via_url"):
            via = self.sources_by_key.get(normalise_url(row["source_via_url"]))
            if via is None:
                result.errors.append(
                    f"source via: no source has the URL {row['source_via_url']}; import it first."
                )
                return None
        url = row.get("source_url", "")
        url_key = normalise_url(url)
        key = url_key or (row["source_title"], via.pk if via and via.pk else id(via))
        title = row["source_title"]
        if url:
            instance = self.sources_by_key.get(url_key)
            if instance is not None:
                # The stored URL and title stay: a file changes neither by the way.
                result.warnings.extend(source_warnings(instance, url, title))
                url, title = instance.url, instance.title
        else:
            instance = self.sources_by_title.get(key) or self.new_sources.get(key)
        data = {
            "url": url,
            "title": title,
            "publisher": row["source_publisher"],
            "kind": row.get("source_kind") or "news",
            "published_on": row["source_published_on"],
            "language": row.get("source_language") or "en",
            "archive_url": instance.archive_url if instance else "",
            "accessed_on": instance.accessed_on if instance else None,
        }
        checked = self.checked_sources.get(key)
        if checked is not None and checked[0] == (data, via):
            # Another row of the same source, as the file gave it before: checked already.
            if checked[1] is not None:
                result.action = checked[1]
            return checked[2]
        target = instance if instance is not None else Source()
        form = SourceRowForm(data=data, instance=target)
        form.instance.via = via
        form.is_valid()
        if via is not None and not via.pk and not url:
            form.errors.pop("url", None)  # reported via a source this file creates first
        if form.errors:
            _errors(form, "source", result)
            return None
        action = None
        if instance is None:
            action = "create"
            self.new_sources[key] = form.instance
            if url:
                self.sources_by_key[url_key] = form.instance
        elif form.has_changed():
            action = "update"
            if instance.pk:
                self.changed_sources[instance.pk] = form.instance
                self.seen_versions[Source][instance.pk] = instance.version
        if action:
            result.action = action
        self.checked_sources[key] = ((data, via), action, form.instance)
        return form.instance

    def claim(self, row: dict[str, str], source: Source, result: RowResult) -> None:
        company, alias, error = self.company_matcher.match(row["company"])
        if company is None:
            result.errors.append(error)
            return
        if alias:
            result.warnings.append(
                f"company “{alias}” matched {company.name} ({company.slug}) by its alias: check "
                "it is that company."
            )
        milestone = self.milestones.get((company.pk, row["milestone"])) or self.milestones.get(
            (company.pk, row["milestone"].lower())
        )
        if milestone is None:
            result.errors.append(
                f"milestone: {company.name} has no milestone with the slug or title "
                f"“{row['milestone']}”; add it in the admin first."
            )
            return
        try:
            stated_on, _ = parse_partial_date(row["stated_on"])
        except PartialDateError as exc:
            result.errors.append(f"stated on: {exc}")
            return
        evidence = row.get("evidence", "")
        evidence_value = None
        if evidence:
            try:
                evidence_value = Claim.Evidence[evidence.upper()].value
            except KeyError:
                names = ", ".join(e.name.lower() for e in Claim.Evidence)
                result.errors.append(f"evidence: “{evidence}” is not one of {names}.")
                return
        data = {
            "kind": row["kind"],
            "stated_on": row["stated_on"],
            "speaker": row.get("speaker", ""),
            "standing": row.get("standing") or Claim.Standing.COMPANY,
            "target_text": row.get("target", ""),
            "achieved_on": row.get("achieved_on", ""),
            "evidence": evidence_value,
            "quote": row.get("quote", ""),
        }
        key = (milestone.pk, source.pk or id(source), row["kind"], stated_on)
        instance = self.claims.get(key)
        if instance is not None and not instance.pk:
            result.errors.append(
                "claim: the file already has a claim of this kind from this source on this "
                "date for this milestone."
            )
            return
        form = ClaimRowForm(data=data, instance=instance if instance is not None else Claim())
        # Before validation: the target is read against the milestone's company's fiscal year.
        form.instance.milestone = milestone
        form.instance.source = source
        if not form.is_valid():
            _errors(form, "claim", result)
            return
        result.understood = understood(form.instance)
        result.warnings.extend(date_warnings(form.instance, source))
        self.touched_milestones.add(milestone.pk)
        if instance is None:
            result.action = "create"
            self.claims[key] = form.instance
            self.new_claims.append(form.instance)
        elif form.has_changed():
            if result.action != "create":
                result.action = "update"
            self.changed_claims.append(form.instance)
            self.seen_versions[Claim][instance.pk] = instance.version

    # -- the write: short, after everything was read and checked -------------------------------
    def write(self, user=None) -> None:
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        from claims.cache import bump_data_version_now_and_on_commit
        from claims.facts import refresh_facts

        now = timezone.now()
        with transaction.atomic():
            locked = lock_rows(
                {
                    Source: self.seen_versions[Source],
                    Milestone: self.touched_milestones,
                    Claim: self.seen_versions[Claim],
                }
            )
            for model in (Source, Claim):
                for pk, version in self.seen_versions[model].items():
                    if locked.get(model) and locked[model].get(pk) != version:
                        raise StaleImportError(
                            f"{model._meta.verbose_name} #{pk} was changed by another editor "
                            "while this file was being imported; nothing was imported. "
                            "Preview the file again."
                        )
            for record in (
                *self.new_sources.values(),
                *self.changed_sources.values(),
                *self.new_claims,
                *self.changed_claims,
            ):
                record.fill_date_bounds()
            for source in (*self.new_sources.values(), *self.changed_sources.values()):
                source.fill_url_key()
            new = list(self.new_sources.values())
            for batch in (
                [s for s in new if s.via is None or s.via.pk],
                [s for s in new if s.via is not None and not s.via.pk],
            ):
                for source in batch:
                    source.via = source.via  # picks up the id of a via created just before
                bulk_create_with_history(batch, Source, batch_size=500, default_user=user)
            self._bump(self.changed_sources.values(), now)
            bulk_update_with_history(
                list(self.changed_sources.values()),
                Source,
                [*SOURCE_FIELDS, *SOURCE_DERIVED, "via", "version", "updated_at"],
                batch_size=500,
                default_user=user,
            )
            for claim in self.new_claims:
                claim.source = claim.source  # the id of a source created above
            bulk_create_with_history(self.new_claims, Claim, batch_size=500, default_user=user)
            self._bump(self.changed_claims, now)
            bulk_update_with_history(
                self.changed_claims,
                Claim,
                [*CLAIM_FIELDS, *CLAIM_DERIVED, "target_earliest", "target_latest"]
                + ["target_precision"]
                + ["version", "updated_at"],
                batch_size=500,
                default_user=user,
            )
            refresh_facts(self.touched_milestones)
            bump_data_version_now_and_on_commit()

    @staticmethod
    def _bump(records, now) -> None:
        for record in records:
            record.version = (record.version or 0) + 1
            record.updated_at = now


def import_claims_csv(*, text: str, dry_run: bool, user=None) -> ImportReport:
    """Import sources and their claims, one claim a row (see CLAIM_COLUMNS).

    Every row is read and checked first, with a few queries for the whole file and no
    lock; a dry run stops there. A confirmed import then writes everything in one short
    transaction: the rows it updates locked in the one lock order, refused if another editor
    changed one meanwhile, the rows written in bulk with their history, and the stored facts
    of the milestones it touched refreshed once.
    """
    rows = read_csv(text, CLAIM_REQUIRED)
    plan = _ClaimPlan(rows)
    plan.existing_claims()
    numbered = list(enumerate(rows, start=2))
    # Sources reported via another come after it, whatever the order of the file.
    numbered.sort(key=lambda pair: bool(pair[1].get("source_via_url")))
    results = []
    for line, row in numbered:
        result = RowResult(line=line, summary="")
        result.summary = f"{row['company']}: {row['milestone']} — {row['kind']} {row['stated_on']}"
        source = plan.source(row, result)
        if source is not None and not result.errors:
            plan.claim(row, source, result)
        if result.errors:
            result.action = "error"
        results.append(result)
    report = ImportReport(sorted(results, key=lambda r: r.line), dry_run)
    if report.saved:
        plan.write(user=user)
    return report


@transaction.atomic
def import_milestones_csv(*, text: str, dry_run: bool, user=None) -> ImportReport:
    """Import milestones, matched by slug: the /milestones/ CSV download imports back.

    Only the milestone's own fields are read; status and targets derive from claims and
    are ignored.
    """
    rows = read_csv(text, MILESTONE_REQUIRED)
    companies = CompanyMatcher()

    def handle(row: dict[str, str], result: RowResult) -> None:
        result.summary = f"{row['company_slug']}: {row['title']}"
        company, alias, error = companies.match(row["company_slug"])
        if alias:
            result.warnings.append(
                f"company “{alias}” matched {company.name} ({company.slug}) by its alias."
            )
        if company is None:
            result.errors.append(error)
        else:
            instance = Milestone.objects.filter(slug=row["slug"]).first()
            facility = None
            if row.get("facility"):
                facility = Facility.objects.filter(company=company, name=row["facility"]).first()
                if facility is None:
                    result.errors.append(
                        f"facility: {company.name} has no facility named “{row['facility']}”."
                    )
                    return
            data = {
                "company": company.pk,
                "facility": facility.pk if facility else None,
                "slug": row["slug"],
                "title": row["title"],
                "kind": row["kind"],
            }
            _save(Milestone, instance, data, result, "milestone")
        if result.errors:
            result.action = "error"

    def lock() -> None:
        # The milestones this file may update, in the one lock order, before any is written.
        slugs = [row["slug"] for row in rows]
        lock_rows(
            {Milestone: Milestone.objects.filter(slug__in=slugs).values_list("pk", flat=True)}
        )

    return _run(rows, handle, dry_run, before=lock)


# -- a previewed file, kept on the server until it is confirmed ---------------------------------


class UploadGone(Exception):
    """The token names no kept file of this editor for this import (expired, or not theirs)."""


def _upload_dir() -> Path:
    default = Path(tempfile.gettempdir()) / "ssbtracker-imports"
    path = Path(getattr(settings, "IMPORT_UPLOAD_DIR", default))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def keep_upload(*, user_id: int, kind: str, text: str) -> str:
    """Keep a previewed file for its editor; return the token its confirmation posts."""
    directory = _upload_dir()
    for old in directory.glob("*.json"):  # forget files nobody confirmed
        if old.stat().st_mtime < time.time() - UPLOAD_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    document = {"user": user_id, "kind": kind, "text": text}
    (directory / f"{token}.json").write_text(json.dumps(document), encoding="utf-8")
    return token


def take_upload(*, user_id: int, kind: str, token: str, remove: bool = False) -> str:
    """The text of a kept file, if `token` is this editor's for this import and not expired."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token or ""):
        raise UploadGone
    path = _upload_dir() / f"{token}.json"
    try:
        if path.stat().st_mtime < time.time() - UPLOAD_SECONDS:
            raise UploadGone
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UploadGone from None
    if document.get("user") != user_id or document.get("kind") != kind:
        raise UploadGone
    if remove:
        path.unlink(missing_ok=True)
    return document["text"]


def claim_rows(claims: Iterable[Claim]):
    """Claims as rows of CLAIM_COLUMNS: the file import_claims_csv reads back."""
    yield CLAIM_COLUMNS
    for c in claims:
        s = c.source
        yield [
            s.url,
            s.title,
            s.publisher,
            s.kind,
            _loose(s.published_on, s.published_on_precision),
            s.language,
            s.via.url if s.via else "",
            c.milestone.company.slug,
            c.milestone.slug,
            c.kind,
            _loose(c.stated_on, c.stated_on_precision),
            c.speaker,
            c.standing,
            c.target_text,
            _loose(c.achieved_on, c.achieved_on_precision),
            Claim.Evidence(c.evidence).name.lower() if c.evidence else "",
            c.quote,
        ]


def _loose(value, precision: str) -> str:
    return partial_date_text(value, precision)
