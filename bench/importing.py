"""What bench/import_speed.py and bench/workbook_speed.py share: a migrated database with the
demo data, the write transaction timed on its own, and the timed runs of an import."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database_url: str) -> None:
    """Django set up on DATABASE_URL (default `database_url`), migrated, the demo data loaded if
    the database has none."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssbtracker.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from claims.models import Company
    from claims.services import load_demo_data

    call_command("migrate", verbosity=0)
    if not Company.objects.exists():
        load_demo_data()


def time_write(plan_class: type) -> None:
    """Print how long `plan_class.write` takes: how long the rows an import updates stay locked."""
    write = plan_class.write

    def timed_write(plan, user=None):
        start = time.perf_counter()
        write(plan, user=user)
        print(f"  of which the write transaction: {time.perf_counter() - start:.2f} s")

    plan_class.write = timed_write


def run_imports(
    steps: list[tuple[str, bool]], run: Callable[[bool], object], profile: bool
) -> None:
    """Time `run(dry_run)` for each (label, dry_run) step and print the report's counts and
    its first errors; with `profile`, print the top functions at the end."""
    from claims.models import Claim

    profiler = cProfile.Profile() if profile else None
    before = Claim.objects.count()
    for label, dry_run in steps:
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        report = run(dry_run)
        elapsed = time.perf_counter() - start
        if profiler:
            profiler.disable()
        errors = [r for r in report.rows if r.errors]
        print(
            f"{label}: {elapsed:.2f} s ({report.counts}); "
            f"{'errors: ' + str(errors[:2]) if errors else 'no errors'}"
        )
    print(f"claims added: {Claim.objects.count() - before}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
