"""A bounded load test: 64 clients for 60 seconds over the main pages, on loopback.

    .venv/bin/python bench/load.py                       # against the benchmark data set
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000   # against a running server

Starts `make serve` on the benchmark's database (see bench/run.py, which loads it) unless
--url names a server already running, then sends a mix of the main pages, cached and not
(every other request carries a distinct ignored parameter, so half miss the page cache),
with wrk. Prints requests, throughput, latency percentiles, errors and the workers' peak
memory. Expect zero errors: every response a 2xx or 3xx, no socket errors or timeouts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    ROOT,
    RssSampler,
    Server,
    database_url,
    log,
    machine,
    synthetic_milestones,
    wrk,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A server already running (loopback only).")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8733)
    parser.add_argument("--database", default="ssbtracker_bench")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    if args.url:
        run(args, args.url, None)
        return
    url = database_url(args.admin_url, args.database)
    if not synthetic_milestones(url):
        sys.exit(f"No data set in {args.database}: run bench/run.py first (it loads it).")
    env = {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": os.urandom(40).hex(),
        "REDIS_URL": args.redis_url,
    }
    with Server(env=env, port=args.port, workers=args.workers) as server:
        sampler = RssSampler(server)
        sampler.start()
        run(args, server.url, sampler)
        sampler.stop()


def paths(base: str) -> list[str]:
    import json
    import urllib.request

    request = urllib.request.Request(
        base + "/api/companies?page_size=3", headers={"X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request) as response:
        companies = [c["slug"] for c in json.load(response)["results"]]
    main = [
        "/",
        "/milestones/",
        "/milestones/?country=CN",
        "/milestones/?status=overdue",
        "/milestones/?country=JP&status=delayed",
        "/companies/",
        *[f"/companies/{slug}/" for slug in companies],
        "/countries/",
        "/countries/CN/",
        "/api/milestones",
        "/api/milestones?country=KR&page=2",
        "/methodology/",
        "/robots.txt",
        "/healthz",
    ]
    # Every page twice: as it is (the page cache serves it) and with a distinct ignored
    # parameter (rendered afresh).
    return [*main, *[p + ("&" if "?" in p else "?") + "_uncached={bust}" for p in main]]


def run(args, base: str, sampler: RssSampler | None) -> None:
    mix = paths(base)
    log(f"{args.clients} clients for {args.seconds} s over {len(mix)} URLs at {base}")
    # Warm: the counts shared by many pages are computed once after an edit.
    for path in mix:
        wrk(base + path.replace("{bust}", "warm"), seconds=1, connections=1)
    result = wrk(
        base + "/",
        seconds=args.seconds,
        connections=args.clients,
        threads=2,
        paths=mix,
        timeout=30,
    )
    print(f"Machine: {machine()}")
    print(f"Load: {args.clients} clients, {args.seconds} s, {len(mix)} URLs (half uncached)")
    print(
        f"Requests: {result.requests}, {result.requests_per_second:.0f}/s; latency p50 "
        f"{result.p50_ms:.0f} ms, p90 {result.p90_ms:.0f} ms, p99 {result.p99_ms:.0f} ms"
    )
    print(f"Errors (non-2xx/3xx, connect, read, write, timeout): {result.errors}")
    if sampler:
        print(f"Peak RSS of a gunicorn worker: {sampler.peak():.0f} MB")
    if result.errors:
        print(result.raw)
        sys.exit(1)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
