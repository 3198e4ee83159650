"""The query plans of the benchmarked pages, at full scale, for docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssbtracker_bench \\
        .venv/bin/python bench/explain.py > plans.txt

Renders each page in-process (page cache bypassed, counts cached as in the "uncached"
benchmark column), then runs EXPLAIN (ANALYZE, BUFFERS) on every query it ran, and prints
each plan with its repeated per-row subquery plans folded to one line each.
"""

from __future__ import annotations

import os
import random
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssbtracker.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claims.models import Company, Milestone  # noqa: E402
from claims.read import AsOf  # noqa: E402
from claims.read.asof import EXPORT_FIELDS  # noqa: E402
from claims.status import ROW_FACTS  # noqa: E402


def pages() -> list[str]:
    counts = Company.objects.annotate(n=Count("milestones")).values_list("slug", "n")
    counts = sorted(counts, key=lambda c: c[1])
    mean = sum(n for _, n in counts) / len(counts)
    company = min(counts, key=lambda c: (abs(c[1] - mean), c[0]))[0]
    return [
        "/",
        f"/companies/{company}/",
        "/milestones/?country=CN",
        "/milestones/?status=overdue",
        "/api/milestones",
    ]


def fold(plan: list[str]) -> list[str]:
    """The plan without the insides of SubPlans: one line each, naming the index it reads."""
    out: list[str] = []
    subplan_indent = None
    named = False
    for line in plan:
        indent = len(line) - len(line.lstrip())
        if subplan_indent is not None and indent > subplan_indent:
            scan = re.search(r"(Index (?:Only )?Scan(?: Backward)? using \S+)", line)
            if scan and not named:
                loops = re.search(r"loops=(\d+)", line)
                out[-1] += f": {scan.group(1)}, {loops.group(1) if loops else '?'} loops"
                named = True
            continue
        subplan_indent = None
        if line.strip().startswith("SubPlan"):
            subplan_indent, named = indent, False
        out.append(line.rstrip())
    return out


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def print_plan(title: str, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        sql = cursor.mogrify(sql, params)
    if isinstance(sql, bytes):
        sql = sql.decode()
    print(f"\n### {title}\n")
    print("```")
    print("\n".join(fold(explain(sql))))
    print("```\n")


def main() -> None:
    today = date.today()
    read = AsOf(today)
    print_plan(
        "CSV export of every milestone", read.milestones().values(*EXPORT_FIELDS, *ROW_FACTS)
    )
    print_plan(
        "The status census (facet counts, page counts, the country pivot; cached)",
        Milestone.objects.census_query(today, stored=read.stored),
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    for path in pages():
        url = path + ("&" if "?" in path else "?")
        client.get(url + "_warm=1")  # the counts several pages share, as in the benchmark
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url + f"_explain={random.random()}")
            if response.streaming:
                for _ in response.streaming_content:
                    pass
        print(f"\n### {path}\n")
        print(f"{len(ctx.captured_queries)} queries.\n")
        for n, query in enumerate(ctx.captured_queries, start=1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = fold(explain(sql))
            summary = re.sub(r"\s+", " ", sql)[:160]
            print(f"{n}. `{summary}…`\n")
            print("```")
            print("\n".join(plan))
            print("```\n")


if __name__ == "__main__":
    main()
