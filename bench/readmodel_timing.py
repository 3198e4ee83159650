"""Median times of the reads the as-of read model serves, in one process, no server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssb_x .venv/bin/python bench/readmodel_timing.py

Run it on a database that holds a synthetic data set (`manage.py generate_synthetic`). Each
page is asked for `--runs` times with a different ignored parameter, so none is served from
the page cache; the counts that many pages share (the status census, the track records) stay
cached after the first request, as they do between edits. The CSV of every milestone is
downloaded whole, and the process's peak resident memory is printed after it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssbtracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k3y-" * 12)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
# Debug settings for the static files (no manifest to build); debug itself is turned off
# below, so that queries are not logged.
os.environ.setdefault("DEBUG", "1")

PAGES = [
    "/milestones/?country=CN",
    "/milestones/?status=overdue",
    "/api/milestones",
    "/api/milestones?country=CN&status=overdue",
    # A past day: status derived from the claims known then, not read from stored facts.
    "/milestones/?country=CN&as_of=2024-06-01",
]


def median_ms(client, url: str, runs: int) -> tuple[float, int]:
    joiner = "&" if "?" in url else "?"
    client.get(f"{url}{joiner}_bust=warm")  # the shared counts, computed once
    times = []
    for n in range(runs):
        start = time.perf_counter()
        response = client.get(f"{url}{joiner}_bust={n}")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(response.content)


def csv_seconds(client) -> tuple[float, int, int]:
    start = time.perf_counter()
    response = client.get("/milestones/?format=csv&_bust=csv")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return time.perf_counter() - start, lines - 1, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    from django.test import Client

    from claims.models import Milestone

    client = Client()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"Milestones: {Milestone.objects.count()}; {args.runs} runs a page, medians")
    for url in PAGES:
        ms, size = median_ms(client, url, args.runs)
        print(f"  {url:45s} {ms:8.1f} ms  ({size} bytes)")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, rows, size = csv_seconds(client)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {'/milestones/?format=csv':45s} {seconds * 1000:8.1f} ms  ({rows} rows, {size} bytes)"
    )
    print(f"Peak resident memory: {before:.0f} MB before the CSV, {after:.0f} MB after it")


if __name__ == "__main__":
    main()
