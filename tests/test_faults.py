"""Requests the site must survive: bytes that are not text, HEAD, unknown hosts, and a
cache that does not answer."""

import logging
from datetime import date

import pytest

from tests import servers
from tests.factories import ClaimFactory, CompanyFactory, FacilityFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    company = CompanyFactory(name="EVE Energy", slug="eve", country="CN")
    facility = FacilityFactory(company=company, slug="chengdu")
    milestone = MilestoneFactory(company=company, facility=facility, title="Phase 2")
    claim = ClaimFactory(milestone=milestone, stated_on=date(2025, 9, 2), target_text="2099")
    return {"milestone": milestone, "claim": claim, "source": claim.source}


def public_urls(world) -> list[str]:
    """One URL of every family in the public URL map, the API included."""
    m, c, s = world["milestone"].pk, world["claim"].pk, world["source"].pk
    return [
        "/",
        "/companies/",
        "/companies/eve/",
        "/facilities/chengdu/",
        "/milestones/",
        f"/milestones/{m}/",
        "/sources/",
        f"/sources/{s}/",
        "/countries/",
        "/countries/CN/",
        "/timeline/",
        "/methodology/",
        "/feeds/claims/",
        "/companies/eve/feed/",
        "/calendar.ics",
        "/companies/eve/calendar.ics",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/api/",
        "/api/companies",
        "/api/companies/eve",
        "/api/facilities",
        "/api/facilities/chengdu",
        "/api/milestones",
        f"/api/milestones/{m}",
        "/api/claims",
        f"/api/claims/{c}",
        "/api/sources",
        f"/api/sources/{s}",
        "/api/openapi.json",
        "/api/docs",
        "/admin/login/",
    ]


# Bytes that are not text ------------------------------------------------------------------

#: A NUL, a byte that is never UTF-8, and a lone surrogate (UTF-8 that encodes no character).
BAD_BYTES = ["%00", "%FF", "%ED%A0%80"]
PARAMETERS = ["q", "country", "company", "status", "as_of", "page", "slug", "kind", "year"]


def assert_refused_in_kind(response, url: str):
    assert response.status_code in (400, 404), (url, response.status_code)
    kind = response["Content-Type"]
    if url.startswith("/api/"):
        assert kind.startswith("application/json"), (url, kind)
        assert "detail" in response.json()
    else:
        assert kind.startswith("text/html"), (url, kind)


def test_bad_bytes_in_any_path_are_a_400_or_404_in_the_kind_of_the_url(client, world):
    for url in public_urls(world):
        for bad in BAD_BYTES:
            # In a path segment of its own, and at the end of the last one.
            stem = url.rstrip("/")
            for path in (f"{stem}/{bad}", f"{stem}{bad}"):
                assert_refused_in_kind(client.get(path), path)


def test_bad_bytes_in_any_query_parameter_are_a_400_in_the_kind_of_the_url(client, world):
    for url in public_urls(world):
        for bad in BAD_BYTES:
            for name in PARAMETERS:
                query = f"{name}=a{bad}b"
                response = client.get(f"{url}?{query}")
                assert_refused_in_kind(response, f"{url}?{query}")


def test_text_that_is_merely_foreign_is_not_refused(client, world):
    assert client.get("/companies/", {"q": "亿纬锂能"}).status_code == 200
    assert client.get("/api/companies", {"q": "é"}).status_code == 200


# HEAD -------------------------------------------------------------------------------------

#: Differ from one response to the next whatever the method: the CSP nonce, cache hit or miss.
VOLATILE_HEADERS = {"Content-Security-Policy", "X-Cache"}


def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(client, world):
    for url in public_urls(world):
        get = client.get(url)
        head = client.head(url)
        assert get.status_code == 200, url
        assert head.status_code == 200, (url, head.status_code)
        assert head.content == b"", url
        same = {k: v for k, v in get.headers.items() if k not in VOLATILE_HEADERS}
        assert {k: v for k, v in head.headers.items() if k not in VOLATILE_HEADERS} == same, url


def test_head_of_a_missing_page_is_a_404_like_get(client, world):
    assert client.head("/companies/nobody/").status_code == 404
    assert client.head("/api/companies/nobody").status_code == 404


def test_other_methods_are_still_refused(client, world):
    assert client.post("/companies/").status_code == 405
    assert client.post("/api/companies").status_code == 405
    assert client.delete("/healthz").status_code == 405


# The cache does not answer ----------------------------------------------------------------

#: Nothing listens on port 1: every connection is refused at once.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "ssbtracker.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "unreachable",
    }
}
#: Each process's own row cache, beside whichever shared cache a test uses.
ROWS_CACHE = {
    "rows": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rows"}
}
UNREACHABLE_REDIS |= ROWS_CACHE
#: A Redis that answers: database 7 of the local server (or TEST_REDIS_URL), keys under a
#: prefix of their own.
REACHABLE_REDIS = {
    "default": {
        "BACKEND": "ssbtracker.cache.RedisCache",
        "LOCATION": servers.redis_url(7),
        "KEY_PREFIX": "test-faults",
    },
    **ROWS_CACHE,
}


@pytest.fixture
def redis_down(settings, caplog):
    from ssbtracker.cache import forget_outage

    forget_outage()
    settings.CACHES = UNREACHABLE_REDIS
    caplog.set_level(logging.WARNING, logger="ssbtracker.cache")
    yield caplog
    forget_outage()


def cache_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ssbtracker.cache" and r.levelno >= 30]


def test_with_redis_unreachable_every_page_and_the_api_answer_uncached(client, world, redis_down):
    for url in public_urls(world):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "X-Cache" not in response, url
    for url in ("/companies/", "/milestones/", "/sources/", "/timeline/", "/countries/"):
        response = client.get(url, {"format": "csv"})
        assert response.status_code == 200 and b"".join(response.streaming_content)
    assert len(cache_warnings(redis_down)) == 1, [r.getMessage() for r in redis_down.records]


def test_with_redis_unreachable_editors_save_and_the_failure_is_logged_once(
    editor_client, world, redis_down
):
    from tests.test_cache import _empty_inlines

    source = world["source"]
    change = f"/admin/claims/source/{source.pk}/change/"
    for title in ("Saved while the cache is down", "Saved again"):
        page = editor_client.get(change)
        assert page.status_code == 200
        form = page.context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(title=title, **_empty_inlines(page))
        response = editor_client.post(change, data)
        assert response.status_code == 302, response.content.decode()[:2000]
    source.refresh_from_db()
    assert source.title == "Saved again"
    assert len(cache_warnings(redis_down)) == 1


# Empties its Redis database, which test_two_servers.py may share: the two run on one worker.
@pytest.mark.xdist_group("servers")
def test_an_edit_saved_while_redis_was_down_shows_once_it_is_back(client, world, settings):
    from ssbtracker.cache import forget_outage

    forget_outage()
    settings.CACHES = REACHABLE_REDIS
    from django.core.cache import cache

    cache.clear()
    url = "/companies/eve/"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    settings.CACHES = UNREACHABLE_REDIS
    company = world["milestone"].company
    company.name = "EVE Energy (renamed)"
    company.save()  # its bump of the data version cannot reach Redis
    settings.CACHES = REACHABLE_REDIS
    page = client.get(url)
    assert "EVE Energy (renamed)" in page.content.decode()
    cache.clear()
    forget_outage()


# The health check -------------------------------------------------------------------------


def test_healthz_reports_the_database_migrations_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
    }


def test_healthz_is_200_with_the_cache_unreachable_as_the_site_still_serves(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == "unreachable"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_on_an_unmigrated_database(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "ssbtracker.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.startswith("503"), result.stdout + result.stderr
    assert "unapplied" in result.stdout


# Unknown hosts ----------------------------------------------------------------------------


def test_an_unknown_host_is_a_quiet_400_with_one_line_in_the_log(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name.startswith("django.security")]
    assert len(records) <= 1
    for record in records:
        assert record.exc_info is None and record.levelno <= logging.WARNING
        assert "\n" not in record.getMessage()
    assert "Traceback" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_while_a_migration_is_unapplied(client):
    from django.core.management import call_command
    from django.db.migrations.loader import MigrationLoader

    latest = max(name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == "claims")
    previous = MigrationLoader(None).graph.node_map[("claims", latest)].parents
    (_, before_latest), *_ = sorted(p.key for p in previous if p.key[0] == "claims")
    call_command("migrate", "claims", before_latest, verbosity=0)
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["migrations"] == "1 unapplied"
        assert response.json()["database"] == "ok"
    finally:
        call_command("migrate", verbosity=0)
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def wsgi_app():
    """The application as the server calls it, on the test's database connection (the test
    client keeps it open the same way)."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_head_hands_the_server_no_body_bytes(world, wsgi_app):
    """gunicorn drops a HEAD response's body, but logs a line for every one it is handed."""
    from wsgiref.util import setup_testing_defaults

    for url in ("/", "/companies/", "/companies/?format=csv", "/api/companies", "/healthz"):
        path, _, query = url.partition("?")
        environ = {"REQUEST_METHOD": "HEAD", "PATH_INFO": path, "QUERY_STRING": query}
        environ["HTTP_HOST"] = "testserver"
        setup_testing_defaults(environ)
        statuses = []

        def start_response(status, headers, exc_info=None, statuses=statuses):
            statuses.append(status)

        body = b"".join(wsgi_app(environ, start_response))
        assert statuses == ["200 OK"], url
        assert body == b"", url
