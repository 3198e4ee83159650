"""How long a claims CSV import of the stated maximum (5,000 rows) takes to preview and confirm.

Generates a valid file in the admin's import format (claims.imports.CLAIM_COLUMNS) from the
demo data's companies and milestones, with new sources, then times the preview (a dry run)
and the confirmed import on the database in DATABASE_URL (PostgreSQL by default), and prints
the figures. Run: `PYTHONPATH=$PWD .venv/bin/python bench/import_speed.py [--rows N] [--profile]`.
The database is migrated and the demo data loaded if it has none; each run adds its rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import secrets
from datetime import date, timedelta

from importing import run_imports, setup, time_write


def claims_file(rows: int) -> str:
    from claims.imports import CLAIM_COLUMNS
    from claims.models import Milestone

    milestones = list(Milestone.objects.select_related("company").order_by("pk"))
    token = secrets.token_hex(4)
    out = io.StringIO()
    writer = csv.DictWriter(out, CLAIM_COLUMNS)
    writer.writeheader()
    per_source = 10
    for n in range(rows):
        source = n // per_source
        milestone = milestones[n % len(milestones)]
        stated = date(2024, 1, 1) + timedelta(days=n % per_source)
        achieved = n % 7 == 0
        writer.writerow(
            {
                "source_url": f"https://bench.example.com/{token}/{source}",
                "source_title": f"Bench article {token} {source}",
                "source_publisher": "Bench News",
                "source_kind": "news",
                "source_published_on": "2024-02-01",
                "source_language": "en",
                "company": milestone.company.slug,
                "milestone": milestone.slug,
                "kind": "achievement" if achieved else "announcement",
                "stated_on": stated.isoformat(),
                "speaker": "Bench speaker",
                "target": "" if achieved else "H2 2027",
                "achieved_on": stated.isoformat() if achieved else "",
                "evidence": "company_statement" if achieved else "",
                "quote": f"Row {n} of the bench file.",
            }
        )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()

    setup("postgres://postgres@127.0.0.1:5432/ssb_holdedit")
    from claims.imports import import_claims_csv
    from claims.imports import plan as import_plan

    text = claims_file(args.rows)
    print(f"file: {args.rows} rows, {len(text.encode()) / 1e6:.2f} MB")
    time_write(import_plan._ClaimPlan)
    run_imports(
        [("preview", True), ("confirm", False)],
        lambda dry_run: import_claims_csv(text=text, dry_run=dry_run),
        profile=args.profile,
    )


if __name__ == "__main__":
    main()
