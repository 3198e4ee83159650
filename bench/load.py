"""A bounded load test: 64 clients for 60 seconds over the main pages, on loopback.

    .venv/bin/python bench/load.py                       # against the benchmark data set
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000   # against a running server
    .venv/bin/python bench/load.py --editors 2           # with two editors saving claims

Starts `make serve` on the benchmark's database (see bench/run.py, which loads it; or
--load-data) unless --url names a server already running, then sends a mix of the main
pages, cached and not (every other request carries a distinct ignored parameter, so half
miss the page cache), with wrk. Prints requests, throughput, latency percentiles, errors and
the workers' peak memory. Expect zero errors: every response a 2xx or 3xx, no socket errors
or timeouts.

With --editors N, N editors log into the admin (accounts made for the run) and, for as long
as wrk runs, save claims of a few milestones over and over: a claim's speaker changed, its
quote changed, a claim added to a milestone. Every save replaces the data version, so the
load runs on a page cache that is emptied every few seconds. Two editors may save the same
claim at once: the later is refused as changed meanwhile, which is counted and reported;
any other answer than a save or that refusal (a 500 from a deadlock, say) is an error.
Afterwards the stored status facts (MilestoneFacts) are compared with what a full
`manage.py refresh_facts` writes, on the same database: they must be equal. The server is
then plain HTTP on loopback (no HTTPS redirect, cookies not marked secure), as the editors'
browser does not speak TLS.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from editing import change_form, editor, save, verdict, with_new_inline_claim  # noqa: E402
from harness import (  # noqa: E402
    ROOT,
    RssSampler,
    Server,
    database_url,
    log,
    machine,
    manage,
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
    parser.add_argument(
        "--editors", type=int, default=0, help="Editors saving claims during the load."
    )
    parser.add_argument(
        "--editor-pause", type=float, default=0.5, help="Seconds an editor waits between saves."
    )
    parser.add_argument(
        "--load-data",
        action="store_true",
        help="Load the benchmark's data set into --database first if it is not there.",
    )
    args = parser.parse_args()

    if args.url:
        if args.editors:
            sys.exit("--editors needs the server this script starts (no --url).")
        run(args, args.url, None)
        return
    url = database_url(args.admin_url, args.database)
    env = {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": os.urandom(40).hex(),
        "REDIS_URL": args.redis_url,
    }
    if args.load_data:
        import types

        from run import load

        data = {"companies": 5000, "milestones": 200_000, "seed": 1, "reload": False}
        load(types.SimpleNamespace(**vars(args), **data), env)
    if not synthetic_milestones(url):
        sys.exit(f"No data set in {args.database}: run bench/run.py first (it loads it).")
    team = None
    if args.editors:
        env |= {"BEHIND_TLS_PROXY": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"}
        team = Editors(args.editors, env, pause=args.editor_pause)
    with Server(env=env, port=args.port, workers=args.workers) as server:
        sampler = RssSampler(server)
        sampler.start()
        failed = run(args, server.url, sampler, team)
        sampler.stop()
    if team:
        failed = not facts_equal_a_full_refresh(env) or failed
    if failed:
        sys.exit(1)


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


def run(args, base: str, sampler: RssSampler | None, team: Editors | None = None) -> bool:
    """The load (and the editors' saves during it); whether anything failed."""
    mix = paths(base)
    log(f"{args.clients} clients for {args.seconds} s over {len(mix)} URLs at {base}")
    # Warm: the counts shared by many pages are computed once after an edit.
    for path in mix:
        wrk(base + path.replace("{bust}", "warm"), seconds=1, connections=1)
    if team:
        deadlocks_before = deadlocks(team.env["DATABASE_URL"])
        team.start(base)
    result = wrk(
        base + "/",
        seconds=args.seconds,
        connections=args.clients,
        threads=2,
        paths=mix,
        timeout=30,
    )
    if team:
        team.stop()
    print(f"Machine: {machine()}")
    print(f"Load: {args.clients} clients, {args.seconds} s, {len(mix)} URLs (half uncached)")
    print(
        f"Requests: {result.requests}, {result.requests_per_second:.0f}/s; latency p50 "
        f"{result.p50_ms:.0f} ms, p90 {result.p90_ms:.0f} ms, p99 {result.p99_ms:.0f} ms"
    )
    print(f"Errors (non-2xx/3xx, connect, read, write, timeout): {result.errors}")
    if sampler:
        print(f"Peak RSS of a gunicorn worker: {sampler.peak():.0f} MB")
    failed = bool(result.errors)
    if result.errors:
        print(result.raw)
    if team:
        new_deadlocks = deadlocks(team.env["DATABASE_URL"]) - deadlocks_before
        print(team.summary())
        print(f"PostgreSQL deadlocks during the run: {new_deadlocks}")
        failed = failed or bool(team.errors) or bool(new_deadlocks)
    return failed


# --- editors during the load ----------------------------------------------------------------


def deadlocks(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


EDITORS_SCRIPT = """
from django.contrib.auth.models import User
for name in {names!r}:
    user, _ = User.objects.get_or_create(username=name)
    user.is_staff = user.is_superuser = True
    user.set_password({password!r})
    user.save()
"""


class Editors:
    """N editors saving claims of a few milestones through the admin, until stopped.

    Each in turn changes a claim's speaker, changes a claim's quote, and adds a claim to a
    milestone (in its milestone's change form, as a new inline row). The milestones are few
    (MILESTONES, the same for every editor), so that editors meet on the same claims and
    milestones: the locking under test.
    """

    MILESTONES = 8

    def __init__(self, count: int, env: dict, *, pause: float):
        import secrets

        self.env = env
        self.pause = pause
        self.names = [f"load-editor-{n + 1}" for n in range(count)]
        self.password = secrets.token_urlsafe(16)
        manage(
            "shell", "-c", EDITORS_SCRIPT.format(names=self.names, password=self.password), env=env
        )
        self.milestones, self.sources = self._targets()
        self.saved: dict[str, int] = {}
        self.refused: dict[str, int] = {}
        self.errors: list[str] = []
        self.seconds: list[float] = []
        self._halt = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _targets(self) -> tuple[list[int], list[int]]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as conn:
            milestones = [
                r[0]
                for r in conn.execute(
                    "SELECT milestone_id FROM claims_claim GROUP BY milestone_id "
                    "HAVING count(*) BETWEEN 2 AND 6 ORDER BY milestone_id LIMIT %s",
                    [self.MILESTONES],
                )
            ]
            sources = [r[0] for r in conn.execute("SELECT id FROM claims_source LIMIT 50")]
        return milestones, sources

    def start(self, base: str) -> None:
        for n, name in enumerate(self.names):
            thread = threading.Thread(target=self._work, args=(n, name, base), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._halt.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _count(self, action: str, status: int, seconds: float, text: str) -> None:
        outcome = verdict(status, text)
        with self._lock:
            self.seconds.append(seconds)
            if outcome == "saved":
                self.saved[action] = self.saved.get(action, 0) + 1
            elif outcome == "refused: changed meanwhile":
                self.refused[action] = self.refused.get(action, 0) + 1
            else:
                self.errors.append(f"{action}: {outcome}")

    def _work(self, n: int, name: str, base: str) -> None:
        import random

        rng = random.Random()  # not seeded: a claim added by an earlier run is not added again
        try:
            browser = editor(base, name, self.password)
        except Exception as error:  # noqa: BLE001 - reported as an error of the run
            self.errors.append(f"{name} could not log in: {error}")
            return
        step = n
        while not self._halt.is_set():
            milestone = rng.choice(self.milestones)
            action = ("speaker", "quote", "new claim")[step % 3]
            step += 1
            try:
                self._one(browser, rng, action, milestone, name)
            except Exception as error:  # noqa: BLE001 - a failed request is an error of the run
                with self._lock:
                    self.errors.append(f"{action}: {type(error).__name__}: {error}")
            self._halt.wait(self.pause)

    def _one(self, browser, rng, action: str, milestone: int, name: str) -> None:
        token = f"{name} {time.monotonic():.3f}"
        if action == "new claim":
            fields = change_form(browser, "milestone", milestone)
            day = f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"
            fields = with_new_inline_claim(
                fields,
                kind="reaffirmation",
                stated_on=day,
                target_text="2030",
                source=str(rng.choice(self.sources)),
                speaker=f"Added by {token}",
                version="",
            )
            self._count(action, *save(browser, "milestone", milestone, fields))
            return
        claims = self._claims_of(milestone)
        claim = rng.choice(claims)
        change = (
            {"speaker": f"Speaker {token}"} if action == "speaker" else {"quote": f"Quote {token}"}
        )
        self._count(
            action, *save(browser, "claim", claim, change_form(browser, "claim", claim, **change))
        )

    def _claims_of(self, milestone: int) -> list[int]:
        """The milestone's claims now (the editors add some as they go)."""
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as conn:
            rows = conn.execute(
                "SELECT id FROM claims_claim WHERE milestone_id = %s ORDER BY id", [milestone]
            ).fetchall()
        return [r[0] for r in rows]

    def summary(self) -> str:
        saved = sum(self.saved.values())
        refused = sum(self.refused.values())
        seconds = sorted(self.seconds) or [0.0]
        lines = [
            f"Editors: {len(self.names)}, saving claims of {len(self.milestones)} milestones "
            f"throughout: {saved + refused + len(self.errors)} saves posted; done {saved} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.saved.items()))}); refused as "
            f"changed meanwhile {refused}; errors {len(self.errors)}",
            f"Editor save latency: median {seconds[len(seconds) // 2]:.2f} s, "
            f"max {seconds[-1]:.2f} s",
        ]
        lines += [f"  error: {e}" for e in self.errors[:10]]
        return "\n".join(lines)


def facts_equal_a_full_refresh(env: dict) -> bool:
    """Whether the stored status facts are those `manage.py refresh_facts` writes afresh."""
    import psycopg

    def snapshot() -> set[tuple]:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return set(
                conn.execute(
                    "SELECT milestone_id, achieved_on, achieved_latest, first_target_latest, "
                    "current_target_latest, first_target::text, current_target::text, "
                    "last_said, last_claim_on, last_claim_from FROM claims_milestonefacts"
                ).fetchall()
            )

    stored = snapshot()
    start = time.perf_counter()
    manage("refresh_facts", env=env)
    log(f"refresh_facts: {time.perf_counter() - start:.1f} s")
    refreshed = snapshot()
    equal = stored == refreshed
    print(
        f"Stored status facts vs a full refresh_facts afterwards: {len(stored)} rows stored, "
        f"{len(refreshed)} rewritten; {len(stored - refreshed)} stored rows not as rewritten, "
        f"{len(refreshed - stored)} rewritten rows not stored: {'EQUAL' if equal else 'DIFFERENT'}"
    )
    return equal


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
