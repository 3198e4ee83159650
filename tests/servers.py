"""Ports, a Redis database and a PostgreSQL database for the tests that start servers.

Each pytest-xdist worker (gw0, gw1, …) gets ports of its own, ten from
`TEST_PORT_BASE` + 10 × its number, so that two workers never listen on one port. The
defaults are the ports these tests have always used.
"""

from __future__ import annotations

import os

#: Offsets within a worker's ten ports.
APP, DOWN_APP, LIVE_SERVER, TWO_SERVERS_A, TWO_SERVERS_B, HTTPS, HTTP = 0, 1, 2, 4, 5, 8, 9


def worker_number() -> int:
    """0 for gw0 or a run without xdist, 1 for gw1, and so on."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def port(offset: int) -> int:
    return int(os.environ.get("TEST_PORT_BASE", "8752")) + 10 * worker_number() + offset


def redis_url(default_db: int) -> str:
    """The Redis database a test may empty: `TEST_REDIS_URL`, or the test's own default."""
    return os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{default_db}")


def two_servers_database() -> str:
    return os.environ.get("TEST_TWO_SERVERS_DATABASE", "ssb_deploy_two")
