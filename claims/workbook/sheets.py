"""The workbook's sheets and columns, and reading and writing it as XLSX or as a zip of CSVs.

One sheet per record type, in the order a file is read and written: a sheet may refer to
records of the sheets before it (a facility to its company, a claim to its milestone and
source) by their keys, whether they are already stored or new in the same file.

The file machinery is tablib's (with openpyxl for XLSX). Every text cell is written through
claims.csvcells.neutralise, so that no spreadsheet runs a cell as a formula, and read back
through restore.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath

import tablib

from claims.csvcells import neutralise, restore
from claims.periods import EXAMPLES

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
LIST_SEPARATOR = ";"


class WorkbookFileError(Exception):
    """The file as a whole cannot be read: not a workbook, a sheet without its columns, too long."""


@dataclass(frozen=True)
class Column:
    name: str
    guide: str
    required: bool = False


DATE_FORMS = (
    'as precisely as the source gives it: "2025-11-03", "2025-11", "Nov 2025", "2025-Q4", '
    '"2025-H2", "2025" or "2025年11月"'
)
COMPANY_REF = "the company's slug, name, native name or one of its aliases"

SHEETS: dict[str, list[Column]] = {
    "companies": [
        Column("slug", "Its key: lowercase letters, digits and hyphens, e.g. eve-energy.", True),
        Column("name", "The name in English.", True),
        Column("native_name", "The name in its native script, e.g. 亿纬锂能."),
        Column("aliases", 'Other names, separated by ";" (a group name, a former name).'),
        Column("country", "ISO 3166-1 two-letter code: CN, US, JP, KR, DE.", True),
        Column(
            "role",
            "cell_maker, materials_supplier, equipment_supplier, automaker, "
            "research_institute, government, investor or other.",
            True,
        ),
        Column("technologies", 'Technology slugs separated by ";": sulfide; oxide; polymer …'),
        Column("hq_city", "Headquarters city."),
        Column("website", "https://…"),
        Column("tickers", 'Stock tickers separated by "; ", e.g. 300014.SZ.'),
        Column(
            "fiscal_year_start_month",
            "The month (1–12) its fiscal year starts, when it states targets in fiscal years "
            '(4 for April–March). Empty: calendar years, and an "FY" target is refused.',
        ),
        Column("description", "A short description."),
    ],
    "sources": [
        Column(
            "url",
            "Its key: the page's URL. Matched to stored sources as the same page whatever "
            "its scheme, www., trailing slash, fragment or tracking parameters. Empty only for "
            "a source known through another (give via).",
        ),
        Column("title", "The title as published.", True),
        Column("publisher", "Who published it.", True),
        Column(
            "kind",
            "news, company_release, regulatory_filing, government_notice, interview or site_visit.",
        ),
        Column("published_on", f"When it was published, {DATE_FORMS}.", True),
        Column("language", "ISO 639-1 code: en, zh, ja, de, ko."),
        Column("via", "The URL of the source that reported this one (a WeChat post via 36Kr)."),
        Column("archive_url", "An archived copy's URL."),
        Column("accessed_on", "When it was read, a day: 2025-09-08."),
        Column(
            "retitle",
            'Write "yes" to change a stored source\'s title to this one; otherwise the stored '
            "title is kept and a differing title is only a warning.",
        ),
    ],
    "relations": [
        Column("from_company", f"{COMPANY_REF}.", True),
        Column(
            "kind",
            "from_company is … of to_company: supplier, customer, investor, licensee, partner, "
            "parent or subsidiary.",
            True,
        ),
        Column("to_company", f"{COMPANY_REF}.", True),
        Column("source", "The URL of the source that reports it.", True),
        Column("note", "A short note."),
    ],
    "facilities": [
        Column("slug", "Its key, e.g. eve-chengdu-ssb-base.", True),
        Column("company", f"Whose site it is: {COMPANY_REF}.", True),
        Column("name", "Its name.", True),
        Column("kind", "pilot_line, mass_production, industrial_base or rd_centre.", True),
        Column(
            "status",
            "announced, pre_construction, construction, pilot_operation, operating, shelved "
            "or cancelled.",
        ),
        Column("country", "Where it is (required): ISO two-letter code, e.g. CN.", True),
        Column("province", "Province or state."),
        Column("city", "City."),
        Column("district", "District."),
        Column("address", "Street address."),
        Column("latitude", "Decimal degrees, with longitude and location_accuracy."),
        Column("longitude", "Decimal degrees."),
        Column("location_accuracy", "exact or approximate."),
        Column("technology", "A technology slug: sulfide, oxide, polymer, halide, semi_solid …"),
        Column("cell_format", "e.g. pouch."),
        Column("cell_ah", "The capacity in Ah of the cell made there."),
        Column(
            "cell_nominal_voltage",
            "The nominal voltage in V of the cell made there (with cell_ah, a capacity in cells "
            "converts to GWh a year).",
        ),
        Column("capacity_value", "Planned capacity, a number, with capacity_unit."),
        Column(
            "capacity_unit",
            "gwh_per_year, mwh_per_year, cells_per_year, cells_per_week or tonnes_per_year.",
        ),
        Column("investment_amount", "A number, with investment_currency."),
        Column("investment_currency", "Three capitals: CNY, USD."),
        Column("description", "A short description."),
        Column("source", "The URL of the source of its profile facts."),
    ],
    "milestones": [
        Column("slug", "Its key, e.g. eve-chengdu-phase-2.", True),
        Column("company", f"{COMPANY_REF}.", True),
        Column("facility", "The slug of a facility of that company, if it happens at one."),
        Column(
            "partners",
            'Other companies named on it, separated by ";" (their statements count as its own).',
        ),
        Column("title", "What will happen or happened.", True),
        Column(
            "kind",
            "production_start, capacity_phase, product_line_off, sample_delivery, "
            "vehicle_installation, commercialisation, construction_start, licensing, "
            "investment, exit or other.",
            True,
        ),
        Column("description", "A short description."),
        Column("technology", "A technology slug."),
        Column("capacity_value", "A number, with capacity_unit."),
        Column("capacity_unit", "As for facilities."),
        Column("energy_density_wh_kg", "Wh/kg."),
        Column("energy_density_wh_l", "Wh/L."),
        Column("cell_ah", "Cell capacity in Ah."),
        Column("cycle_life", "Cycle life: a whole number of cycles."),
    ],
    "claims": [
        Column("source", "The source's URL (or, for a source without one, its title).", True),
        Column("company", f"The milestone's company: {COMPANY_REF}.", True),
        Column("milestone", "The milestone's slug or title.", True),
        Column(
            "kind",
            "announcement, reaffirmation, revision, achievement, clarification, cancellation "
            "or view. A claim is keyed by milestone, source, kind and stated_on.",
            True,
        ),
        Column("stated_on", f"When it was said, {DATE_FORMS}.", True),
        Column("speaker", 'Who said it, e.g. "Liu Jincheng, chairman".'),
        Column(
            "standing",
            "company (the default), partner, government or third_party. Only the company and "
            "partners named on the milestone set, revise or cancel targets; others' opinions "
            "are kind view.",
        ),
        Column(
            "target",
            f"The target in the speaker's words: {EXAMPLES}; relative forms (next year, 明年) "
            "are read against stated_on. One target a row: a text holding two is refused.",
        ),
        Column("achieved_on", f"For an achievement: when it happened, {DATE_FORMS}."),
        Column(
            "evidence",
            "For an achievement: company_statement, third_party_report, official_record or "
            "independent_observation.",
        ),
        Column("quote", "A short excerpt from the source."),
    ],
}
SHEET_NAMES = list(SHEETS)


def cell_text(value) -> str:
    """A cell as the text the import reads: numbers without a float's tail, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value)).strip()


def number_text(value) -> str:
    """A stored decimal as a cell: "100", "2.5" (no trailing zeros, never exponent form)."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- reading ----------------------------------------------------------------------------------


def _rows(headers: list, body: Iterable[Iterable]) -> list[dict[str, str]]:
    names = [cell_text(h).lower() for h in headers]
    rows = []
    for values in body:
        row = {n: cell_text(v) for n, v in zip(names, values, strict=False) if n}
        if any(row.values()):
            rows.append(row)
    return rows


def _check(sheets: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    if not sheets:
        raise WorkbookFileError(
            "The file has none of the sheets " + ", ".join(SHEET_NAMES) + ": start from the "
            "template."
        )
    total = sum(len(rows) for rows in sheets.values())
    if total > MAX_ROWS:
        raise WorkbookFileError(f"The file has {total} rows; import at most {MAX_ROWS} at once.")
    for name, rows in sheets.items():
        required = [c.name for c in SHEETS[name] if c.required]
        present = set().union(*(r.keys() for r in rows)) if rows else set()
        if rows and (missing := [c for c in required if c not in present]):
            raise WorkbookFileError(
                f"The sheet “{name}” lacks these columns: {', '.join(missing)}. Its first row "
                "must name the columns, as in the template."
            )
    return sheets


def read_workbook(data: bytes) -> dict[str, list[dict[str, str]]]:
    """The rows of each known sheet of an XLSX workbook or of a zip of CSV files (one file a
    sheet, named after it: companies.csv, …, in any folder). Other sheets (README) are skipped."""
    if len(data) > MAX_BYTES:
        raise WorkbookFileError("The file is larger than 5 MB: split it.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise WorkbookFileError(
            "This is neither an XLSX workbook nor a zip of CSV files."
        ) from None
    with archive:
        names = archive.namelist()
        if "[Content_Types].xml" in names:
            return _check(_read_xlsx(data))
        sheets = {}
        for member in names:
            path = PurePosixPath(member)
            if path.suffix.lower() != ".csv" or path.stem.lower() not in SHEETS:
                continue
            if archive.getinfo(member).file_size > MAX_BYTES:
                raise WorkbookFileError("The file is larger than 5 MB unpacked: split it.")
            try:
                text = archive.read(member).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise WorkbookFileError(
                    f"{member} is not UTF-8 text: save it as “CSV UTF-8”."
                ) from None
            try:
                table = list(csv.reader(io.StringIO(text)))
            except csv.Error as exc:
                raise WorkbookFileError(f"{member} is not a readable CSV file: {exc}.") from None
            if table:
                sheets[path.stem.lower()] = _rows(table[0], table[1:])
        return _check(sheets)


def _read_xlsx(data: bytes) -> dict[str, list[dict[str, str]]]:
    book = tablib.Databook()
    try:
        book.load(data, format="xlsx")
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookFileError(f"This XLSX file cannot be read: {exc}.") from None
    sheets = {}
    for sheet in book.sheets():
        name = (sheet.title or "").strip().lower()
        if name in SHEETS and sheet.headers:
            sheets[name] = _rows(sheet.headers, sheet)
    return sheets


# -- writing ----------------------------------------------------------------------------------


def _dataset(name: str, rows: Iterable[dict[str, str]]) -> tablib.Dataset:
    columns = [c.name for c in SHEETS[name]]
    sheet = tablib.Dataset(title=name, headers=columns)
    for row in rows:
        sheet.append([neutralise(str(row.get(c, "") or "")) for c in columns])
    return sheet


def guide_rows() -> list[list[str]]:
    lines = [
        [
            "",
            "",
            "One sheet per record type, read in this order; a row may refer to the "
            "records of the sheets before it, stored or new in this file. Empty sheets may be "
            "left out. Every row goes through the admin's checks; one bad row imports nothing.",
        ],
    ]
    for name, columns in SHEETS.items():
        for column in columns:
            need = "required" if column.required else ""
            lines.append([name, column.name, f"{need + ': ' if need else ''}{column.guide}"])
    return lines


def write_xlsx(sheets: dict[str, list[dict[str, str]]], guide: bool = False) -> bytes:
    book = tablib.Databook()
    for name in SHEET_NAMES:
        book.add_sheet(_dataset(name, sheets.get(name, [])))
    if guide:
        readme = tablib.Dataset(title="README", headers=["sheet", "column", "meaning"])
        for line in guide_rows():
            readme.append([neutralise(x) for x in line])
        book.add_sheet(readme)
    return book.export("xlsx")


def write_csv_zip(sheets: dict[str, list[dict[str, str]]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SHEET_NAMES:
            archive.writestr(f"workbook/{name}.csv", _dataset(name, sheets.get(name, [])).csv)
    return out.getvalue()
