"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright.

They are skipped, with the reason shown, where Chromium is not installed.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the test's own database access
# (fixtures, assertions) is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATime(WSGIServer):
    """The live server, answering one request at a time in its own thread.

    On SQLite the tests' database is in memory, and every thread of Django's threaded live
    server uses the tests' one connection: two requests at once (an editor's page firing
    previews) read each other's half-fetched rows (IndexError, a lost session). Requests
    wait their turn instead; the server closes each connection after its response.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = OneRequestAtATime


def pytest_collection_modifyitems(items):
    missing = not (Path(CHROMIUM).exists() or shutil.which("chromium"))
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A page that fails the test on any console error or uncaught exception."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not problems, f"console errors: {problems}"


@pytest.fixture
def page_at_width(browser):
    """page_at_width(width): a fresh page that wide. Fails the test on any console error.

    CSP is bypassed unless asked to keep it, so that axe-core's script can be injected; the
    analyst flow tests keep it.
    """
    contexts, problems = [], []

    def open_page(width: int, *, bypass_csp: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, f"console errors: {problems}"


@pytest.fixture(autouse=True)
def seeded_rows(transactional_db):
    """The rows the migrations seed (technologies, the Editors group), back after a flush.

    Each transactional test ends by flushing the database, and serialized_rollback cannot put
    these rows back here: while Playwright's event loop runs in this thread, Django's
    connection handler treats the thread as async and hands out a connection without the
    serialized copy. So we run the seeding migration again when its rows are missing.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from claims.models import Technology

    if Technology.objects.exists():
        return
    name = "0002_technologies_and_editors"
    seed = importlib.import_module(f"claims.migrations.{name}").seed
    seed(MigrationLoader(connection).project_state(("claims", name)).apps, None)


@pytest.fixture
def demo(transactional_db, seeded_rows):
    from tests.demo_rows import load_demo

    load_demo()
