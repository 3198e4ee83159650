"""How long a claims CSV import of the stated maximum (5,000 rows) takes to preview and confirm.

Generates a valid file in the admin's import format (claims.imports.CLAIM_COLUMNS) from the
demo data's companies and milestones, with new sources, then times the preview (a dry run)
and the confirmed import on the database in DATABASE_URL (PostgreSQL by default), and prints
the figures. Run: `PYTHONPATH=$PWD .venv/bin/python bench/import_speed.py [--rows N] [--profile]`.
The database is migrated and the demo data loaded if it has none; each run adds its rows.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ssb_holdedit")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssbtracker.settings")
os.environ.setdefault("DEBUG", "1")


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

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from claims.imports import import_claims_csv
    from claims.models import Claim, Company
    from claims.services import load_demo_data

    if not Company.objects.exists():
        load_demo_data()
    text = claims_file(args.rows)
    print(f"file: {args.rows} rows, {len(text.encode()) / 1e6:.2f} MB")
    before = Claim.objects.count()
    # The write transaction alone: how long the rows an import updates stay locked.
    from claims import imports

    write = imports._ClaimPlan.write

    def timed_write(plan, user=None):
        start = time.perf_counter()
        write(plan, user=user)
        print(f"  of which the write transaction: {time.perf_counter() - start:.2f} s")

    imports._ClaimPlan.write = timed_write
    profile = cProfile.Profile() if args.profile else None

    for label, dry_run in (("preview", True), ("confirm", False)):
        if profile:
            profile.enable()
        start = time.perf_counter()
        report = import_claims_csv(text=text, dry_run=dry_run)
        elapsed = time.perf_counter() - start
        if profile:
            profile.disable()
        errors = [r for r in report.rows if r.errors]
        print(
            f"{label}: {elapsed:.2f} s ({report.counts}); "
            f"{'errors: ' + str(errors[:2]) if errors else 'no errors'}"
        )
    print(f"claims added: {Claim.objects.count() - before}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
