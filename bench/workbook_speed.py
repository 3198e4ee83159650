"""How long a workbook import of the stated maximum (5,000 rows) takes to preview and confirm.

Builds a workbook of new records across every sheet (companies, sources, relations,
facilities, milestones and, mostly, claims, each claim on a milestone of the same file),
writes it as XLSX, then times reading it, the preview (a dry run) and the confirmed import on
the database in DATABASE_URL (PostgreSQL ssb_edworkbook by default), then a second import of
the same file (nothing to change) and an export of everything. Prints the figures.
Run: `PYTHONPATH=$PWD .venv/bin/python bench/workbook_speed.py [--rows N] [--profile]`.
The database is migrated and the demo data loaded if it has none; each run adds its rows.
"""

from __future__ import annotations

import argparse
import secrets
import time

from importing import run_imports, setup, time_write


def workbook(rows: int) -> dict[str, list[dict[str, str]]]:
    """`rows` rows: 1% companies and facilities, 8% milestones, 10% sources, the rest claims."""
    token = secrets.token_hex(3)
    n_companies = max(1, rows // 100)
    n_milestones = max(1, rows * 8 // 100)
    n_sources = max(1, rows // 10)
    n_claims = rows - 2 * n_companies - n_milestones - n_sources - (n_companies - 1)
    companies = [
        {
            "slug": f"b{token}-c{i}",
            "name": f"Bench {token} company {i}",
            "country": "CN",
            "role": "cell_maker",
            "aliases": f"B{token}C{i}",
            "technologies": "sulfide",
        }
        for i in range(n_companies)
    ]
    facilities = [
        {
            "slug": f"b{token}-f{i}",
            "company": c["slug"],
            "name": f"Plant {i}",
            "kind": "pilot_line",
            "country": "CN",
            "city": "Chengdu",
        }
        for i, c in enumerate(companies)
    ]
    relations = [
        {
            "from_company": companies[i]["slug"],
            "kind": "supplier",
            "to_company": companies[i + 1]["slug"],
            "source": f"https://bench.example.com/{token}/0",
        }
        for i in range(n_companies - 1)
    ]
    milestones = [
        {
            "slug": f"b{token}-m{i}",
            "company": companies[i % n_companies]["slug"],
            "facility": facilities[i % n_companies]["slug"],
            "title": f"Bench milestone {i}",
            "kind": "production_start",
        }
        for i in range(n_milestones)
    ]
    sources = [
        {
            "url": f"https://bench.example.com/{token}/{i}",
            "title": f"Bench article {token} {i}",
            "publisher": "Bench News",
            "kind": "news",
            "published_on": "2025-09-08",
            "language": "en",
        }
        for i in range(n_sources)
    ]
    claims = []
    for i in range(n_claims):
        m = milestones[i % n_milestones]
        achieved = i % 7 == 0
        claims.append(
            {
                "source": sources[i % n_sources]["url"],
                "company": m["company"],
                "milestone": m["slug"],
                "kind": "achievement" if achieved else "announcement",
                "stated_on": f"2025-0{1 + (i // n_milestones) % 9}",
                "speaker": "Bench speaker",
                "standing": "company",
                "target": "" if achieved else ("2027年底" if i % 2 else "H2 2027"),
                "achieved_on": "2025-01" if achieved else "",
                "evidence": "company_statement" if achieved else "",
                "quote": f"Row {i} of the bench workbook.",
            }
        )
    return {
        "companies": companies,
        "sources": sources,
        "relations": relations,
        "facilities": facilities,
        "milestones": milestones,
        "claims": claims,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()

    setup("postgres://postgres@127.0.0.1:5432/ssb_edworkbook")
    from claims.workbook.export import export_sheets
    from claims.workbook.plan import WorkbookPlan, import_workbook
    from claims.workbook.sheets import read_workbook, write_xlsx

    sheets = workbook(args.rows)
    total = sum(len(r) for r in sheets.values())
    start = time.perf_counter()
    data = write_xlsx(sheets)
    print(
        f"workbook: {total} rows, {len(data) / 1e6:.2f} MB XLSX, written in "
        f"{time.perf_counter() - start:.2f} s"
    )
    time_write(WorkbookPlan)
    steps = [("preview", True), ("confirm", False), ("same file again", False)]
    run_imports(
        [(f"{label} (reading the file included)", dry_run) for label, dry_run in steps],
        lambda dry_run: import_workbook(sheets=read_workbook(data), dry_run=dry_run),
        profile=args.profile,
    )
    start = time.perf_counter()
    everything = write_xlsx(export_sheets())
    print(
        f"export of every record: {time.perf_counter() - start:.2f} s, "
        f"{len(everything) / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
