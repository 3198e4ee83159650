"""Settings come from the environment and fail loudly, naming the variable."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ssbtracker.env import database_from_url, envbool, envint, envlist

BASE = Path("/srv/app")


def test_no_database_url_means_an_sqlite_file_in_the_project():
    db = database_from_url(None, base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == BASE / "db.sqlite3"


def test_postgres_url_means_postgresql_through_psycopg():
    db = database_from_url(
        "postgres://ed:s%40cret@db.local:5433/ssb?sslmode=require", base_dir=BASE
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "ssb",
        "ed",
        "s@cret",
        "db.local",
        "5433",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_url_with_relative_path_is_in_the_project():
    assert database_from_url("sqlite:///demo.db", base_dir=BASE)["NAME"] == BASE / "demo.db"


@pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://host:5432/", "sqlite://"])
def test_unsupported_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, base_dir=BASE)


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        envbool("DEBUG", default=False)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_booleans_read_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert envbool("DEBUG", default=not expected) is expected


def test_bad_integer_names_the_variable(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "sixty")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE"):
        envint("CONN_MAX_AGE", 60)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,,")
    assert envlist("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_production_refuses_to_start_without_secret_key(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "ssbtracker.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
