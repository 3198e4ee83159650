"""The SSB Tracker benchmark: the main pages at full scale, against `make serve`.

    .venv/bin/python bench/run.py            # load the data set if needed, then measure
    .venv/bin/python bench/run.py --reload   # rebuild the data set first

Loads the synthetic data set (5,000 companies, 200,000 milestones, about 620,000 claims) into
a PostgreSQL database of its own, starts `make serve` (gunicorn, Redis cache), and measures
with wrk on loopback, a few seconds per run:

- cold: the first request of each page after an edit (no cache of any kind);
- uncached: every request a different URL, so no page comes from the page cache (the counts
  shared by many pages, such as facet counts, stay cached: that is how the site serves the
  long tail of filter combinations and pages);
- cached: the same URL again and again, served from the page cache;
- the CSV export of every milestone: time, size and the worker's peak memory;
- Datasette serving the same list from the same data exported to SQLite.

Throughput is also given as a ratio of /robots.txt's, the framework's floor, in the same run.
See docs/benchmarks.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    BENCH,
    ROOT,
    RssSampler,
    Server,
    database_url,
    ensure_database,
    etag_of,
    get,
    log,
    machine,
    manage,
    synthetic_milestones,
    vacuum_analyze,
    wrk,
)

DATASETTE = BENCH / ".venv-datasette" / "bin" / "datasette"
SQLITE_PATH = BENCH / "ssb.db"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=5000)
    parser.add_argument("--milestones", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="ssbtracker_bench")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="A PostgreSQL URL allowed to create the benchmark's database.",
    )
    parser.add_argument("--reload", action="store_true", help="Rebuild the data set.")
    parser.add_argument("--seconds", type=int, default=5, help="Length of each wrk run.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--datasette-port", type=int, default=8732)
    parser.add_argument(
        "--cache", choices=["redis", "locmem"], default="redis", help="The cache backend."
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    return parser.parse_args()


def load(args, env: dict) -> None:
    url = env["DATABASE_URL"]
    created = ensure_database(args.admin_url, args.database, recreate=args.reload)
    log(f"Database {args.database}: {'created' if created else 'exists'}; migrating")
    manage("migrate", "--no-input", env=env)
    if synthetic_milestones(url) == args.milestones and not args.reload:
        log("Synthetic data set already loaded")
        return
    log(f"Loading {args.companies} companies and {args.milestones} milestones")
    start = time.perf_counter()
    result = manage(
        "generate_synthetic",
        "--clear",
        f"--companies={args.companies}",
        f"--milestones={args.milestones}",
        f"--seed={args.seed}",
        env=env,
    )
    log(result.stdout.strip())
    log(f"Loaded in {time.perf_counter() - start:.0f} s; VACUUM ANALYZE")
    vacuum_analyze(url)


def a_company(url: str) -> str:
    """A typical company: the one whose number of milestones is nearest the mean."""
    return typical_companies(url, 1)[0]


def typical_companies(url: str, n: int) -> list[str]:
    """The n companies whose numbers of milestones are nearest the mean."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            WITH n AS (SELECT company_id, count(*) AS n FROM claims_milestone GROUP BY 1)
            SELECT c.slug FROM n JOIN claims_company c ON c.id = n.company_id
            ORDER BY abs(n.n - (SELECT avg(n) FROM n)), c.id LIMIT %s
            """,
            (n,),
        ).fetchall()
    return [slug for (slug,) in rows]


def pages(company: str, trio: list[str] | None = None) -> list[tuple[str, str]]:
    trio = trio or [company]
    return [
        ("dashboard", "/"),
        ("company page", f"/companies/{company}/"),
        ("scorecards", "/scorecards/"),
        ("scorecards ?by=country", "/scorecards/?by=country"),
        ("compare (three companies)", "/compare/?" + "&".join(f"company={c}" for c in trio)),
        ("metrics", "/metrics/"),
        ("milestones ?country=CN", "/milestones/?country=CN"),
        ("milestones ?status=overdue", "/milestones/?status=overdue"),
        ("API /api/milestones", "/api/milestones"),
        ("pipeline", "/pipeline/"),
        ("facilities ?country=CN", "/facilities/?country=CN"),
        ("map", "/map/"),
    ]


def measure(args, server: Server, company: str, env: dict, trio: list[str] | None = None) -> dict:
    figures: dict = {"pages": {}}
    low, high = args.workers, args.workers * 4
    sampler = RssSampler(server)
    sampler.start()

    log("Cold: the first request of each page after an edit")
    manage(
        "shell", "-c", "from claims.cache import bump_data_version; bump_data_version()", env=env
    )
    for name, path in pages(company, trio):
        status, body, seconds = get(server.url + path)
        assert status == 200, (path, status, body[:500])
        figures["pages"][name] = {"path": path, "cold_s": seconds, "bytes": len(body)}
        log(f"  {name}: {seconds:.2f} s")

    log("Floor: /robots.txt")
    floor_low = wrk(server.url + "/robots.txt", seconds=args.seconds, connections=low)
    floor_high = wrk(server.url + "/robots.txt", seconds=args.seconds, connections=high)
    figures["floor"] = {"low": floor_low.__dict__, "high": floor_high.__dict__}
    for name, path in pages(company, trio):
        log(f"wrk {name}")
        uncached = wrk(server.url + path, seconds=args.seconds, connections=low, bust_cache=True)
        get(server.url + path)  # fill the page cache
        cached = wrk(server.url + path, seconds=args.seconds, connections=high)
        # A browser or a CDN asking again with the page's ETag: a 304 while the data stands.
        revalidated = wrk(
            server.url + path,
            seconds=args.seconds,
            connections=high,
            headers={"If-None-Match": etag_of(server.url + path)},
        )
        figures["pages"][name].update(
            uncached=uncached.__dict__, cached=cached.__dict__, revalidated=revalidated.__dict__
        )

    log("CSV export of every milestone")
    peak = sampler.peak()
    sampler.reset()
    status, body, seconds = get(server.url + "/milestones/?format=csv")
    assert status == 200
    rows = body.count(b"\n") - 1
    figures["csv"] = {
        "seconds": seconds,
        "megabytes": len(body) / 1e6,
        "rows": rows,
        "worker_peak_rss_mb": sampler.peak(),
    }
    log(f"  {rows} rows, {len(body) / 1e6:.1f} MB in {seconds:.1f} s")
    sampler.stop()
    figures["worker_peak_rss_mb"] = max(peak, sampler.peak())
    return figures, body


def datasette(args, csv_body: bytes, figures: dict) -> None:
    """The same list served by Datasette from the same data, exported to SQLite."""
    if not DATASETTE.exists():
        log("Installing Datasette into bench/.venv-datasette")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH / ".venv-datasette")], check=True)
        subprocess.run(
            [str(BENCH / ".venv-datasette" / "bin" / "pip"), "install", "-q", "datasette"],
            check=True,
        )
    export_sqlite(csv_body)
    process = subprocess.Popen(
        [
            str(DATASETTE),
            "serve",
            "-i",
            str(SQLITE_PATH),
            "--host",
            "127.0.0.1",
            "--port",
            str(args.datasette_port),
            # The same page size as ours, the facets we show and no others (suggesting facets
            # takes it seconds a page), and time enough to count every facet as we do.
            "--setting",
            "default_page_size",
            "50",
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "facet_time_limit_ms",
            "5000",
            "--setting",
            "sql_time_limit_ms",
            "10000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{args.datasette_port}"
        path = (
            "/ssb/milestones?country=CN&_sort=current_target_due&_facet=status"
            "&_facet=country&_facet=kind&_facet=target_year&_facet=company"
        )
        for _ in range(100):
            if get(url + "/-/versions.json")[0] == 200:
                break
            time.sleep(0.2)
        status, body, cold = get(url + path)
        assert status == 200, body[:300]
        # One process serving a request at a time best: more clients only queue.
        low = wrk(url + path, seconds=max(args.seconds, 5), connections=args.workers)
        figures["datasette"] = {"path": path, "cold_s": cold, "low": low.__dict__}
    finally:
        process.terminate()
        process.wait()


def export_sqlite(csv_body: bytes) -> None:
    SQLITE_PATH.unlink(missing_ok=True)
    db = sqlite3.connect(SQLITE_PATH)
    reader = csv.reader(io.StringIO(csv_body.decode("utf-8")))
    header = next(reader)
    columns = [*header, "target_year"]
    db.execute(f"CREATE TABLE milestones ({', '.join(columns)}, PRIMARY KEY (id))")
    due = header.index("current_target_due")
    db.executemany(
        f"INSERT INTO milestones VALUES ({', '.join('?' * len(columns))})",
        ([*row, row[due][:4] or None] for row in reader),
    )
    for column in ("country", "status", "kind", "company", "current_target_due", "target_year"):
        db.execute(f"CREATE INDEX milestones_{column} ON milestones ({column})")
    db.commit()
    db.execute("ANALYZE")
    db.close()


def table(figures: dict) -> str:
    floor_low = figures["floor"]["low"]["requests_per_second"]
    floor_high = figures["floor"]["high"]["requests_per_second"]
    c_low, c_high = figures["connections"]
    lines = [
        f"Machine: {figures['machine']}",
        f"Data: {figures['data']}",
        f"Server: make serve, {figures['workers']} gunicorn workers, cache {figures['cache']}; "
        f"wrk {figures['seconds']} s per run, accepting gzip as browsers do; uncached at "
        f"{c_low} connections, cached at {c_high}",
        "",
        f"{'page':28} {'cold s':>7} | {'uncached req/s':>14} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'x floor':>7} | {'cached req/s':>12} {'p50 ms':>7} {'p99 ms':>7} {'x floor':>7} "
        f"| {'304 req/s':>9} {'x floor':>7}",
        "-" * 138,
        f"{'/robots.txt (floor)':28} {'':>7} | {floor_low:14.0f} "
        f"{figures['floor']['low']['p50_ms']:7.1f} {figures['floor']['low']['p99_ms']:7.1f} "
        f"{1:7.2f} | {floor_high:12.0f} {figures['floor']['high']['p50_ms']:7.1f} "
        f"{figures['floor']['high']['p99_ms']:7.1f} {1:7.2f} | {floor_high:9.0f} {1:7.2f}",
    ]
    for name, page in figures["pages"].items():
        u, c, r = page["uncached"], page["cached"], page["revalidated"]
        lines.append(
            f"{name:28} {page['cold_s']:7.2f} | {u['requests_per_second']:14.1f} "
            f"{u['p50_ms']:7.1f} {u['p99_ms']:7.1f} {u['requests_per_second'] / floor_low:7.3f} | "
            f"{c['requests_per_second']:12.0f} {c['p50_ms']:7.1f} {c['p99_ms']:7.1f} "
            f"{c['requests_per_second'] / floor_high:7.2f} | {r['requests_per_second']:9.0f} "
            f"{r['requests_per_second'] / floor_high:7.2f}"
        )
    errors = sum(
        p[k]["errors"]
        for p in figures["pages"].values()
        for k in ("uncached", "cached", "revalidated")
    )
    csv_figures = figures["csv"]
    lines += [
        "",
        f"CSV export of all milestones: {csv_figures['rows']} rows, "
        f"{csv_figures['megabytes']:.1f} MB in {csv_figures['seconds']:.1f} s; worker peak "
        f"RSS during it {csv_figures['worker_peak_rss_mb']:.0f} MB",
        f"Peak RSS of a gunicorn worker through the benchmark: "
        f"{figures['worker_peak_rss_mb']:.0f} MB; errors (non-2xx/3xx, socket): {errors}",
    ]
    if ds := figures.get("datasette"):
        ours = figures["pages"]["milestones ?country=CN"]

        def ratio(a: float, b: float) -> str:
            return f"{a / b:.1f}x" if b else "n/a"

        lines += [
            "",
            "Datasette, the same list (CN, sorted by due date, five facets) over the same data "
            "in SQLite:",
            f"  {'':26} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7}",
            f"  {'Datasette':26} {ds['low']['requests_per_second']:9.1f} "
            f"{ds['low']['p50_ms']:7.1f} {ds['low']['p99_ms']:7.1f}",
            f"  SSB Tracker ÷ Datasette: uncached "
            f"{ratio(ours['uncached']['requests_per_second'], ds['low']['requests_per_second'])}"
            f", cached "
            f"{ratio(ours['cached']['requests_per_second'], ds['low']['requests_per_second'])}",
        ]
    return "\n".join(lines)


def main() -> None:
    args = arguments()
    url = database_url(args.admin_url, args.database)
    env = {"DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": os.urandom(40).hex()}
    if args.cache == "redis":
        env["REDIS_URL"] = args.redis_url
    start = time.perf_counter()
    load(args, env)
    company = a_company(url)
    trio = typical_companies(url, 3)
    figures = {
        "machine": machine(),
        "workers": args.workers,
        "cache": args.cache,
        "seconds": args.seconds,
        "connections": [args.workers, args.workers * 4],
        "data": (
            f"{args.companies} companies, {args.milestones} milestones (seed {args.seed}), "
            f"PostgreSQL database {args.database}"
        ),
    }
    with Server(env=env, port=args.port, workers=args.workers) as server:
        result, csv_body = measure(args, server, company, env, trio)
        figures.update(result)
    if not args.no_datasette:
        log("Datasette")
        datasette(args, csv_body, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    print(table(figures))
    log(f"Benchmark took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
