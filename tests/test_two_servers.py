"""Two app servers on one PostgreSQL database and one Redis (bench/two_servers.py): an edit
saved through one is on the other's pages at once, though both had the page cached."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests import servers

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = servers.redis_url(8)


def _unreachable() -> str:
    """Why the check cannot run here, or "" when PostgreSQL and Redis both answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return f"PostgreSQL is not reachable at {ADMIN_URL}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError:
        return f"Redis is not reachable at {REDIS_URL}"
    return ""


def _two_servers():
    spec = importlib.util.spec_from_file_location("two_servers", ROOT / "bench" / "two_servers.py")
    module = sys.modules["two_servers"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Shares its Redis database with test_faults.py's, and starts `make serve` (whose collectstatic
# writes the one STATIC_ROOT) as test_deploy.py does: they all run on one xdist worker.
@pytest.mark.xdist_group("servers")
def test_an_edit_through_one_server_is_on_the_other_servers_cached_page_at_once(capsys):
    if reason := _unreachable():
        pytest.skip(reason)
    two_servers = _two_servers()
    passed = two_servers.run(
        admin_url=ADMIN_URL,
        database=servers.two_servers_database(),
        redis_url=REDIS_URL,
        ports=(servers.port(servers.TWO_SERVERS_A), servers.port(servers.TWO_SERVERS_B)),
    )
    output = capsys.readouterr().out
    assert passed, output
    assert output.count("served from the cache") == 4
    assert output.count(": PASS") == 2
