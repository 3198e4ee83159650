"""The whole data set as one zip of CSVs, with a data dictionary and the methodology's version.

The zip is built on request into a file named by the release, the data version and the day
(milestone statuses are as of that day), and kept there: every request until the next edit
is served from that file. It is written table by table from database cursors, so memory stays
flat whatever the number of rows. Text cells are neutralised as in every CSV the site writes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import models

from claims.cache import RELEASE, data_version
from claims.models import Claim, Company, CompanyRelation, Facility, Source
from claims.read import AsOf
from claims.status import METHODOLOGY_VERSION
from claims.views.common import csv_cell

#: Where built zips are kept, one per release, data version and day.
EXPORT_DIR = Path(tempfile.gettempdir()) / "ssbtracker-export"
FILENAME = "ssb-tracker.zip"
CHUNK = 2000

#: The milestone CSV's columns (claims.views.milestones.CSV_HEADER), described.
MILESTONE_COLUMNS = {
    "id": "The milestone's id (milestones/<id>/ on the site; claims.csv's milestone_id).",
    "slug": "The milestone's short name in URLs.",
    "company": "The company the milestone belongs to.",
    "company_slug": "That company's slug (companies.csv's slug).",
    "country": "ISO 3166 country code of the milestone (its facility's country, else its "
    "company's).",
    "facility": "The facility it is at, if any (facilities.csv's name).",
    "kind": "What kind of milestone it is (e.g. pilot_line, mass_production).",
    "title": "The milestone's title.",
    "status": "Its status as of the as_of day, by the published rules: achieved, overdue, "
    "delayed, on_track, cancelled or undated.",
    "stale": "True when no one has said anything about it for 24 months.",
    "first_target": "The first dated target, as precisely as it was stated.",
    "first_target_due": "The last day of the first target's window.",
    "current_target_stated": "The current target in the words of its source.",
    "current_target": "The current target, as precisely as it was stated.",
    "current_target_from": "The first day of the current target's window.",
    "current_target_due": "The last day of the current target's window.",
    "achieved": "When it was achieved, as precisely as the source gives it.",
    "achieved_from": "The first day of the period it was achieved in.",
    "achieved_to": "The last day of the period it was achieved in.",
    "achieved_precision": "How precisely the achievement is dated: day, month, quarter, half "
    "or year.",
    "verdict": "For an achieved milestone: on_time, late or cant_tell (the dates are too "
    "coarse to tell).",
    "slip_months_min": "The fewest months it came, or is so far, past its first target.",
    "slip_months_max": "The most months it came, or is so far, past its first target.",
    "last_claim": "When the last claim about it was made, as precisely as stated.",
    "last_claim_from": "The first day of the last claim's period.",
    "last_claim_to": "The last day of the last claim's period.",
    "capacity_value": "The capacity it states, in capacity_unit.",
    "capacity_unit": "gwh_per_year, mwh_per_year, cells_per_year, cells_per_week or "
    "tonnes_per_year.",
    "energy_density_wh_kg": "The cell's energy density it claims or shows, in Wh/kg.",
    "energy_density_wh_l": "The cell's energy density it claims or shows, in Wh/L.",
    "cell_ah": "The cell's capacity it claims or shows, in Ah.",
    "cycle_life": "The cell's cycle life it claims or shows, in cycles.",
    "as_of": "The day the statuses are read as of (the day the file was built).",
    "url": "The milestone's page.",
}


@dataclass(frozen=True)
class Table:
    filename: str
    header: list[str]
    descriptions: dict[str, str]
    rows: Callable[[], Iterable]


def _describe(field: models.Field) -> str:
    """A model field's column, in words: its name, help text, choices and what a partial
    date's companions hold."""
    text = str(field.verbose_name)
    text = text[0].upper() + text[1:] + "."
    if field.help_text:
        text += f" {field.help_text}"
    if field.is_relation:
        text += f" The id of a row of {field.related_model._meta.verbose_name_plural}."
    if field.choices:
        text += " One of: " + ", ".join(str(value) for value, _ in field.flatchoices) + "."
    names = {f.name for f in field.model._meta.concrete_fields}
    if isinstance(field, models.DateField) and f"{field.name}_precision" in names:
        text += (
            f" A partial date: the first day of the period; {field.name}_latest is its last "
            f"day and {field.name}_precision how precisely it is known."
        )
    if field.name.endswith("_latest") and field.name.removesuffix("_latest") + "_precision" in (
        names
    ):
        text += " The last day of the period the partial date stands for."
    return text


def model_table(filename: str, model, *, extra: dict | None = None) -> Table:
    """Every concrete column of a model (foreign keys as ids), read from one cursor;
    `extra`: more columns, each name: (description, function of the row's pk)."""
    fields = list(model._meta.concrete_fields)
    extra = extra or {}
    header = [f.attname for f in fields] + list(extra)
    descriptions = {f.attname: _describe(f) for f in fields}
    descriptions |= {name: description for name, (description, _) in extra.items()}

    def rows() -> Iterator[list]:
        lookups = [function() for _, function in extra.values()]
        values = model._default_manager.order_by("pk").values_list(*[f.attname for f in fields])
        for row in values.iterator(chunk_size=CHUNK):
            yield [*row, *(lookup.get(row[0], "") for lookup in lookups)]

    return Table(filename, header, descriptions, rows)


def _technologies_by_company() -> dict[int, str]:
    through = Company.technologies.through
    slugs: dict[int, list[str]] = {}
    for company, slug in through.objects.order_by("technology__slug").values_list(
        "company_id", "technology__slug"
    ):
        slugs.setdefault(company, []).append(slug)
    return {company: "; ".join(names) for company, names in slugs.items()}


def tables(day: date, site: str) -> list[Table]:
    """The tables of the zip, milestones with their status as of `day`; `site` is the
    site's address (for the milestones' URLs)."""
    from claims.views.milestones import CSV_HEADER, milestone_csv_rows

    read = AsOf(day)
    return [
        model_table(
            "companies.csv",
            Company,
            extra={
                "technologies": (
                    "The company's technology routes, as slugs separated by '; '.",
                    _technologies_by_company,
                )
            },
        ),
        model_table("facilities.csv", Facility),
        model_table("relations.csv", CompanyRelation),
        Table(
            "milestones.csv",
            CSV_HEADER,
            MILESTONE_COLUMNS,
            lambda: milestone_csv_rows(read, f"{site}/milestones/"),
        ),
        model_table("claims.csv", Claim),
        model_table("sources.csv", Source),
    ]


def readme(day: date, version: str, table_list: list[Table]) -> str:
    lines = [
        "# SSB Tracker: the whole data set",
        "",
        f"- Methodology version: {METHODOLOGY_VERSION} (the rules at /methodology/)",
        f"- Data version: {version}",
        f"- Built on: {day.isoformat()} (milestone statuses are as of this day)",
        "",
        "Each CSV is UTF-8 with a header row. Dates are ISO (YYYY-MM-DD). A date known only",
        "to a month, quarter, half or year (a partial date) is given by its first day, its",
        "last day (the column ending in _latest) and its precision (ending in _precision).",
        "Text that a spreadsheet would run as a formula (starting with =, +, -, @) has a",
        "single quote in front. Ids join the files: claims.csv's milestone_id is",
        "milestones.csv's id, and so on. dictionary.csv lists every column.",
        "",
    ]
    for table in table_list:
        lines += [f"## {table.filename}", ""]
        lines += [f"- `{name}`: {table.descriptions[name]}" for name in table.header]
        lines.append("")
    return "\n".join(lines)


def _write_csv(archive: zipfile.ZipFile, name: str, header, rows: Iterable) -> None:
    with archive.open(name, "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(value) for value in row])
        text.flush()
        text.detach()


def write_zip(target, *, day: date, version: str, site: str) -> None:
    """The zip of every table, the dictionary and the README, written to `target` (a path
    or a binary file)."""
    table_list = tables(day, site)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", readme(day, version, table_list))
        dictionary = [
            (table.filename, name, table.descriptions[name])
            for table in table_list
            for name in table.header
        ]
        _write_csv(archive, "dictionary.csv", ["file", "column", "description"], dictionary)
        archive.writestr(
            "VERSION.txt",
            f"methodology_version={METHODOLOGY_VERSION}\n"
            f"data_version={version}\nbuilt_on={day.isoformat()}\n",
        )
        for table in table_list:
            _write_csv(archive, table.filename, table.header, table.rows())


def zip_path(*, site: str, today: date | None = None) -> tuple[Path, bool]:
    """The built zip for the current data: (its path, whether it is kept for later requests).

    Built once per release, data version and day, into a file renamed into place when
    complete, so concurrent requests never read half a file. While the cache does not
    answer (no data version) a fresh file is built for the request; the caller deletes it.
    """
    today = today or date.today()
    version = data_version() if settings.PAGE_CACHE_SECONDS else None
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    if version is None:
        handle, name = tempfile.mkstemp(suffix=".zip", dir=EXPORT_DIR)
        with os.fdopen(handle, "wb") as file:
            write_zip(file, day=today, version="unknown", site=site)
        return Path(name), False
    path = EXPORT_DIR / f"{RELEASE}-{version}-{today.isoformat()}-{_site_key(site)}.zip"
    if not path.exists():
        handle, name = tempfile.mkstemp(suffix=".part", dir=EXPORT_DIR)
        try:
            with os.fdopen(handle, "wb") as file:
                write_zip(file, day=today, version=version, site=site)
            os.replace(name, path)
        finally:
            if os.path.exists(name):
                os.unlink(name)
        _remove_older(keep=path)
    return path, True


def _site_key(site: str) -> str:
    return hashlib.blake2b(site.encode(), digest_size=4).hexdigest()


def _remove_older(*, keep: Path) -> None:
    """Zips of earlier data versions or days of this release: nobody asks for them again."""
    for old in EXPORT_DIR.glob(f"{RELEASE}-*.zip"):
        if old != keep:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
