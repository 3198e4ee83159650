"""CSV import and export of sources with their claims, and of milestones.

Rows go through model forms (the admin's validation), in one transaction: a dry run, or a
file with any bad row, saves nothing. Rows are matched on natural keys, so importing the
same file again changes nothing. Companies and milestones are matched by slug or name and
never invented from a claim row: an unknown one is reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from claims.csvcells import restore
from claims.dates import PartialDateError, parse_partial_date, partial_date_text
from claims.models import Claim, Company, Facility, Milestone, Source
from claims.services import form_for

MAX_ROWS = 5000

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


def find_company(value: str) -> Company | None:
    return Company.objects.filter(Q(slug=value) | Q(name__iexact=value)).first()


def find_milestone(company: Company, value: str) -> Milestone | None:
    return company.milestones.filter(Q(slug=value) | Q(title__iexact=value)).first()


def _source(row: dict[str, str], result: RowResult) -> Source | None:
    via = None
    if row.get("source_via_url"):
        via = Source.objects.filter(url=row["source_via_url"]).first()
        if via is None:
            result.errors.append(
                f"source via: no source has the URL {row['source_via_url']}; import it first."
            )
            return None
    url = row.get("source_url", "")
    if url:
        instance = Source.objects.filter(url=url).first()
    else:
        instance = Source.objects.filter(url="", title=row["source_title"], via=via).first()
    data = {
        "url": url,
        "title": row["source_title"],
        "publisher": row["source_publisher"],
        "kind": row.get("source_kind") or "news",
        "published_on": row["source_published_on"],
        "language": row.get("source_language") or "en",
        "via": via.pk if via else None,
    }
    if instance is not None:
        # Keep what the file does not speak of (archive URL, accessed date).
        data |= {"archive_url": instance.archive_url, "accessed_on": instance.accessed_on}
    return _save(Source, instance, data, result, "source")


def _claim(row: dict[str, str], source: Source, result: RowResult) -> None:
    company = find_company(row["company"])
    if company is None:
        result.errors.append(f"company: no company has the slug or name “{row['company']}”.")
        return
    milestone = find_milestone(company, row["milestone"])
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
        "milestone": milestone.pk,
        "kind": row["kind"],
        "stated_on": row["stated_on"],
        "speaker": row.get("speaker", ""),
        "standing": row.get("standing") or Claim.Standing.COMPANY,
        "target_text": row.get("target", ""),
        "achieved_on": row.get("achieved_on", ""),
        "evidence": evidence_value,
        "source": source.pk,
        "quote": row.get("quote", ""),
    }
    instance = Claim.objects.filter(
        milestone=milestone, source=source, kind=row["kind"], stated_on=stated_on
    ).first()
    _save(Claim, instance, data, result, "claim")


def _run(rows: list[dict[str, str]], handle, dry_run: bool, order=None) -> ImportReport:
    numbered = list(enumerate(rows, start=2))
    if order is not None:
        numbered.sort(key=lambda pair: order(pair[1]))
    results = []
    with transaction.atomic():
        for line, row in numbered:
            result = RowResult(line=line, summary="")
            with transaction.atomic():
                handle(row, result)
            results.append(result)
        report = ImportReport(sorted(results, key=lambda r: r.line), dry_run)
        if not report.saved:
            transaction.set_rollback(True)
    return report


@transaction.atomic
def import_claims_csv(*, text: str, dry_run: bool) -> ImportReport:
    """Import sources and their claims, one claim a row (see CLAIM_COLUMNS)."""
    rows = read_csv(text, CLAIM_REQUIRED)

    def handle(row: dict[str, str], result: RowResult) -> None:
        result.summary = f"{row['company']}: {row['milestone']} — {row['kind']} {row['stated_on']}"
        source = _source(row, result)
        if source is not None and not result.errors:
            _claim(row, source, result)
        if result.errors:
            result.action = "error"

    # Sources reported via another come after it, whatever the order of the file.
    return _run(rows, handle, dry_run, order=lambda row: bool(row.get("source_via_url")))


@transaction.atomic
def import_milestones_csv(*, text: str, dry_run: bool) -> ImportReport:
    """Import milestones, matched by slug: the /milestones/ CSV download imports back.

    Only the milestone's own fields are read; status and targets derive from claims and
    are ignored.
    """
    rows = read_csv(text, MILESTONE_REQUIRED)

    def handle(row: dict[str, str], result: RowResult) -> None:
        result.summary = f"{row['company_slug']}: {row['title']}"
        company = find_company(row["company_slug"])
        if company is None:
            result.errors.append(f"company: no company has the slug “{row['company_slug']}”.")
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

    return _run(rows, handle, dry_run)


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
