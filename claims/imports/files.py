"""The files of the CSV import: their columns, reading them, the report of what each row did, and
the export that reads back."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from claims.csvcells import restore
from claims.dates import partial_date_text
from claims.models import Claim

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
    #: How the row's dates, target and speaker were read, for the editor to check.
    understood: list[str] = field(default_factory=list)
    #: Doubts that do not block the import: a claim dated far from its source, a source title
    #: the file would change, a near-duplicate source URL, a company matched by alias.
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run, row by row; nothing is saved unless every
    row is good (the workbook's report is one of these too)."""

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

    @property
    def summary(self) -> str:
        """ "3 rows created, 1 updated, 12 unchanged." """
        counts = self.counts
        return (
            f"{counts['create']} rows created, {counts['update']} updated, "
            f"{counts['unchanged']} unchanged."
        )


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
