"""Two app servers, one PostgreSQL database, one Redis: an edit through one is on the other's
pages at once.

    .venv/bin/python bench/two_servers.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
                                          [--database ssb_deploy_two]
                                          [--redis-url redis://127.0.0.1:6379/8]

(Re)creates the database, migrates it, loads the demo and makes a superuser; empties the
Redis database given; starts two `make serve` (ports 8756 and 8757) on them; fetches a company
page from both until each serves it from the cache; changes the company's description through
the admin of server A and fetches the page from server B at once; then the other way round.
Prints each step and PASS or FAIL; exits 1 on a failure. Loopback only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Server, database_url, ensure_database, manage  # noqa: E402

PORTS = (8756, 8757)
ADMIN_USER = "two-servers"


def say(message: str) -> None:
    print(message, flush=True)


# --- HTTP -----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    text: str
    url: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with its own cookies, on one server; anonymous until it logs in."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path} if data is not None else {}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Response(
                    response.status, dict(response.headers), response.read().decode(), path
                )
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode(), path)

    def csrf_token(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def log_in(self, password: str) -> None:
        self.request("/admin/login/")
        response = self.request(
            "/admin/login/?next=/admin/",
            [
                ("csrfmiddlewaretoken", self.csrf_token()),
                ("username", ADMIN_USER),
                ("password", password),
                ("next", "/admin/"),
            ],
        )
        if response.status != 302:
            raise RuntimeError(f"log-in on {self.base} answered {response.status}")


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with a given id, in order."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    if not parser.fields:
        raise RuntimeError(f"no form #{form_id} on the page")
    return parser.fields


# --- the check ------------------------------------------------------------------------------


def a_company(url: str) -> tuple[int, str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT id, slug FROM claims_company ORDER BY name LIMIT 1").fetchone()


def prepare(admin_url: str, database: str, redis_url: str, password: str) -> dict:
    """The database with the demo and a superuser; an empty Redis database; the servers' env."""
    import redis

    url = database_url(admin_url, database)
    say(f"Database {database}: (re)created, migrated, demo loaded")
    ensure_database(admin_url, database, recreate=True)
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        # Both servers sign sessions and tokens alike, as servers of one site must.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback, no TLS proxy.
        "BEHIND_TLS_PROXY": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DEBUG": "0",
    }
    manage("migrate", "--no-input", env=env)
    manage("load_demo", env=env)
    manage(
        "createsuperuser",
        "--no-input",
        env={
            **env,
            "DJANGO_SUPERUSER_USERNAME": ADMIN_USER,
            "DJANGO_SUPERUSER_EMAIL": "two-servers@ssbtracker.example",
            "DJANGO_SUPERUSER_PASSWORD": password,
        },
    )
    return env


def warm(base: str, page: str) -> bool:
    """Fetch the page anonymously until it comes from the cache (at most three times)."""
    for _ in range(3):
        response = Browser(base).request(page)
        if response.status != 200:
            say(f"  {base}{page}: {response.status}")
            return False
        if response.headers.get("X-Cache") == "hit":
            say(f"  {base}{page}: 200, served from the cache")
            return True
    say(f"  {base}{page}: never served from the cache")
    return False


def edit_description(editor: Browser, company_id: int, text: str) -> None:
    """Change the company's description through the admin's change form, as a browser would."""
    path = f"/admin/claims/company/{company_id}/change/"
    form = editor.request(path)
    if form.status != 200:
        raise RuntimeError(f"the change form answered {form.status}")
    fields = [(k, v) for k, v in form_fields(form.text, "company_form") if k != "description"]
    response = editor.request(path, [*fields, ("description", text), ("_save", "Save")])
    if response.status != 302:
        raise RuntimeError(f"saving the company answered {response.status}, not a redirect")


def check(editing: Browser, reading: str, company_id: int, page: str) -> bool:
    text = f"Described through {editing.base} ({secrets.token_hex(4)})."
    say(f"Edit through {editing.base}: description set to {text!r}")
    edit_description(editing, company_id, text)
    response = Browser(reading).request(page)
    shown = text in response.text
    say(
        f"  {reading}{page} at once: {response.status}, "
        f"X-Cache {response.headers.get('X-Cache', '-')}, new text "
        f"{'shown' if shown else 'NOT shown'}: {'PASS' if shown else 'FAIL'}"
    )
    return response.status == 200 and shown


def run(*, admin_url: str, database: str, redis_url: str, ports: tuple[int, int] = PORTS) -> bool:
    """The whole check; whether it passed. Stops every server it started."""
    password = secrets.token_urlsafe(16)
    env = prepare(admin_url, database, redis_url, password)
    company_id, slug = a_company(env["DATABASE_URL"])
    page = f"/companies/{slug}/"
    servers = [Server(env=env, port=port) for port in ports]
    try:
        for server in servers:
            server.start()
            say(f"Server {server.url}: make serve, 2 workers, Redis {redis_url}")
        a, b = (server.url for server in servers)
        say(f"Warming {page} on both")
        ok = warm(a, page) and warm(b, page)
        editor_a, editor_b = Browser(a), Browser(b)
        editor_a.log_in(password)
        editor_b.log_in(password)
        ok = check(editor_a, b, company_id, page) and ok
        ok = warm(a, page) and warm(b, page) and ok
        ok = check(editor_b, a, company_id, page) and ok
    finally:
        for server in servers:
            server.stop()
    return ok


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="ssb_deploy_two")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    ok = run(admin_url=args.admin_url, database=args.database, redis_url=args.redis_url)
    say("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
