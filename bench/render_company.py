"""How long an average company page takes to render, in process, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssb_bench \\
        .venv/bin/python bench/render_company.py [--runs 30]

Needs a database holding the synthetic data set (`manage.py generate_synthetic`). Picks the
company whose number of milestones is nearest the mean (as bench/run.py does) and requests
its page with Django's test client, printing the median and quartiles in milliseconds, and
the median CPU time of this process (steadier than the wall clock on a busy machine; it
leaves out the time the database works):

- cold: a fresh data version before every request, so nothing at all is cached (no page,
  no shared count, no rendered fragment);
- warm (after a cold one, alternately): every request a different URL (an ignored `_bust` parameter), so no page comes
  from the page cache, while what many pages share stays cached (as bench/run.py's
  "uncached" figure).

A relative measure for comparing two versions of the code on one machine; bench/run.py
gives the figures of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--company", help="A company slug (default: an average company).")
    parser.add_argument("--path", help="Another page to measure the same way, e.g. /milestones/")
    parser.add_argument("--redis-url", help="Cache in this Redis (default: local memory).")
    return parser.parse_args()


def setup(redis_url: str | None = None) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database holding the synthetic data set.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssbtracker.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "k3y" * 20)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.pop("REDIS_URL", None)  # local memory unless asked: the figure is the render
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    import django
    from django.conf import settings
    from django.test.utils import override_settings

    django.setup()
    # The static files as they are: the hashed names need collectstatic's manifest.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def timed(client, path: str) -> tuple[float, float]:
    """(wall-clock ms, this process's CPU ms) of one request."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, headers={"X-Forwarded-Proto": "https"}, secure=True)
    wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return wall, cpu


def summary(name: str, times: list[tuple[float, float]]) -> str:
    q1, median, q3 = statistics.quantiles([wall for wall, _ in times], n=4)
    cpu = statistics.median(cpu for _, cpu in times)
    return (
        f"{name:5} median {median:6.1f} ms  (quartiles {q1:.1f}–{q3:.1f} ms; "
        f"Python CPU {cpu:.1f} ms; n={len(times)})"
    )


def main() -> None:
    args = arguments()
    setup(args.redis_url)
    from django.test import Client
    from run import a_company

    from claims.cache import bump_data_version

    url = os.environ["DATABASE_URL"]
    path = args.path or f"/companies/{args.company or a_company(url)}/"
    bust = "&" if "?" in path else "?"
    client = Client()
    for _ in range(3):  # templates compiled, connections open, shared counts cached
        timed(client, f"{path}{bust}_bust=warmup")
    cold, warm = [], []
    for i in range(args.runs):  # alternately, so both see the same load on the machine
        bump_data_version()
        cold.append(timed(client, path))
        warm.append(timed(client, f"{path}{bust}_bust={i}"))
    print(f"{path} ({args.runs} runs each)")
    print(summary("cold", cold))
    print(summary("warm", warm))


if __name__ == "__main__":
    main()
