"""Production settings, security headers, log-in throttling, permissions, no lost edits,
escaping, and the health check."""

import csv
import io
import os
import re
import secrets
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from claims.models import Claim, Company, Milestone
from tests.factories import ClaimFactory, CompanyFactory, MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Production settings ----------------------------------------------------------------------


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ssbtracker.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "SECRET_KEY is not set"),
        ("too-short", "SECRET_KEY is too short"),
        ("a" * 60, "too short or too simple"),
    ],
)
def test_production_refuses_to_start_without_a_good_secret_key(key, message):
    result = manage("check", DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert message in result.stderr


# Headers ----------------------------------------------------------------------------------

PAGES = [
    "/",
    "/companies/",
    "/milestones/",
    "/timeline/",
    "/countries/",
    "/sources/",
    "/methodology/",
    "/admin/login/",
    "/api/docs",
]


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_every_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/", secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


# Log-in throttling ------------------------------------------------------------------------

LOGIN = "/admin/login/"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def test_repeated_wrong_passwords_lock_the_account_from_that_address(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "ed", "wrong").status_code == 200
    refused = attempt(client, "ed", "wrong")
    assert refused.status_code == 429
    # Even the right password is refused from this address while locked.
    assert attempt(client, "ed", "correct-horse-9").status_code == 429


def test_a_strangers_wrong_passwords_never_lock_out_the_editor_from_elsewhere(client, editor):
    for _ in range(10):
        attempt(client, "ed", "wrong", ip="203.0.113.66")
    assert attempt(client, "ed", "correct-horse-9", ip="198.51.100.7").status_code == 302


def test_the_lock_out_page_says_in_words_what_happened_and_for_how_long(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        refused = attempt(client, "ed", "wrong")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert (
        "Too many failed log-in attempts for this account from your address. "
        "Try again in 15 minutes." in page
    )
    assert "PT15M" not in page
    assert "SSB Tracker editors" in page and "Django administration" not in page


def client_address(*, proxies: int, forwarded_for: str | None, remote: str = "127.0.0.1"):
    """The address log-in throttling sees, under the settings TRUSTED_PROXY_COUNT=proxies
    gives (a fresh process, so the settings are read from the environment)."""
    header = "" if forwarded_for is None else f", HTTP_X_FORWARDED_FOR={forwarded_for!r}"
    script = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from axes.helpers import get_client_ip_address;"
        f"print(get_client_ip_address(RequestFactory().post('/', REMOTE_ADDR={remote!r}{header})))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "ssbtracker.settings",
        "TRUSTED_PROXY_COUNT": str(proxies),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_behind_one_proxy_two_forwarded_clients_are_told_apart():
    assert client_address(proxies=1, forwarded_for="203.0.113.5") == "203.0.113.5"
    assert client_address(proxies=1, forwarded_for="198.51.100.9") == "198.51.100.9"


def test_behind_one_proxy_a_spoofed_extra_hop_is_not_trusted():
    # The client sent "X-Forwarded-For: 192.0.2.1"; the proxy appended the address it saw.
    assert client_address(proxies=1, forwarded_for="192.0.2.1, 203.0.113.5") == "203.0.113.5"


def test_behind_two_proxies_the_client_is_the_second_address_from_the_right():
    chain = "192.0.2.1, 203.0.113.5, 10.0.0.2"
    assert client_address(proxies=2, forwarded_for=chain) == "203.0.113.5"


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    assert client_address(proxies=0, forwarded_for="203.0.113.5") == "127.0.0.1"
    assert client_address(proxies=0, forwarded_for=None, remote="198.51.100.9") == "198.51.100.9"


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, editor, settings):
    from ssbtracker.settings import client_address_settings

    for name, value in client_address_settings(trusted_proxies=1).items():
        setattr(settings, name, value)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(10):
        client.post(
            LOGIN,
            {"username": "ed", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **proxy,
        )
    assert (
        client.post(
            LOGIN,
            {"username": "ed", "password": "correct-horse-9", "next": "/admin/"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            **proxy,
        ).status_code
        == 302
    )


def test_a_few_failures_then_success_logs_in(client, editor):
    attempt(client, "ed", "wrong")
    assert attempt(client, "ed", "correct-horse-9").status_code == 302


# Permissions ------------------------------------------------------------------------------


def test_permission_ladder(client, editor, django_user_model):
    users = reverse("admin:auth_user_changelist")
    claims = reverse("admin:claims_claim_changelist")
    assert client.get(claims).status_code == 302  # anonymous: to the log-in page
    assert client.get("/").status_code == 200
    client.force_login(editor)
    assert client.get(claims).status_code == 200
    assert client.get(users).status_code == 403
    assert "delete_company" not in {
        p.codename for p in Group.objects.get(name="Editors").permissions.all()
    }
    boss = django_user_model.objects.create_superuser("boss", password="boss-pass-123")
    client.force_login(boss)
    assert client.get(users).status_code == 200


def test_public_pages_and_api_show_no_editor_names(client, editor_client):
    claim = ClaimFactory(target_text="2027")
    milestone = claim.milestone
    url = reverse("admin:claims_milestone_change", args=[milestone.pk])
    page = editor_client.get(url)
    data = {
        **page.context["adminform"].form.initial,
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "1000",
        "title": "Renamed by ed",
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["company"] = milestone.company_id
    assert editor_client.post(url, data).status_code == 302
    client.logout()
    for public in (
        milestone.get_absolute_url(),
        "/milestones/",
        f"/api/milestones/{milestone.pk}",
        "/feeds/claims/",
    ):
        body = client.get(public).content.decode()
        if public != "/feeds/claims/":  # the feed lists claims, not milestone edits
            assert "Renamed by ed" in body
        assert "correct-horse" not in body and '"ed"' not in body and ">ed<" not in body


# No lost edits ----------------------------------------------------------------------------


def milestone_form(page, **changes):
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    formset = page.context["inline_admin_formsets"][0].formset
    data.update(
        {
            f"{formset.prefix}-TOTAL_FORMS": "0",
            f"{formset.prefix}-INITIAL_FORMS": "0",
            f"{formset.prefix}-MIN_NUM_FORMS": "0",
            f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    data.update(changes)
    return data


def test_second_editor_saving_an_old_version_is_refused_with_what_changed(
    client, editor, django_user_model
):
    milestone = MilestoneFactory(title="Phase 2 at 100 MWh")
    url = reverse("admin:claims_milestone_change", args=[milestone.pk])
    other = django_user_model.objects.create_user("amy", password="amy-pass-123", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))

    client.force_login(editor)
    eds_page = client.get(url)  # ed opens the form
    client.force_login(other)
    amys_page = client.get(url)  # amy opens it too
    assert (
        client.post(url, milestone_form(amys_page, title="Phase 2: 100 MWh a year")).status_code
        == 302
    )
    client.force_login(editor)
    refused = client.post(url, milestone_form(eds_page, description="ed's note"))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "amy changed this milestone" in text
    assert "Phase 2 at 100 MWh" in text and "Phase 2: 100 MWh a year" in text
    milestone.refresh_from_db()
    assert milestone.title == "Phase 2: 100 MWh a year"
    assert milestone.description == ""


def test_claim_edited_meanwhile_is_not_overwritten_from_the_source_page(editor_client):
    claim = ClaimFactory(target_text="2026", speaker="EVE")
    url = reverse("admin:claims_source_change", args=[claim.source_id])
    page = editor_client.get(url)
    stale_version = claim.version
    claim.speaker = "Liu Jincheng"
    claim.full_clean()
    claim.save()
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    row = {
        "id": claim.pk,
        "source": claim.source_id,
        "version": stale_version,
        "milestone": claim.milestone_id,
        "kind": "announcement",
        "stated_on": "2025-01-01",
        "speaker": "EVE",
        "target_text": "2027",
        "achieved_on": "",
        "evidence": "",
        "quote": "",
    }
    data.update({f"claims-0-{k}": v for k, v in row.items()})
    data.update(
        {
            "claims-TOTAL_FORMS": "1",
            "claims-INITIAL_FORMS": "1",
            "claims-MIN_NUM_FORMS": "0",
            "claims-MAX_NUM_FORMS": "1000",
        }
    )
    response = editor_client.post(url, data)
    assert "while you were editing it" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.speaker, claim.target_text) == ("Liu Jincheng", "2026")


def test_history_records_who_and_an_editor_can_restore(editor_client, editor):
    company = CompanyFactory(name="EVE Energy")
    url = reverse("admin:claims_company_change", args=[company.pk])
    page = editor_client.get(url)
    data = {
        **{
            n: page.context["adminform"].form[n].value()
            for n in page.context["adminform"].form.fields
        }
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["technologies"] = []
    data["name"] = "EVE Energy (typo)"
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    assert editor_client.post(url, data).status_code == 302
    latest = company.history.first()
    assert latest.history_user == editor
    history = editor_client.get(reverse("admin:claims_company_history", args=[company.pk]))
    assert "EVE Energy (typo)" in history.content.decode()
    assert f">{editor.username}</a>" in history.content.decode() or (
        f"\n              {editor.username}\n" in history.content.decode()
    )
    first = company.history.last()
    revert_url = reverse("admin:claims_company_simple_history", args=[company.pk, first.history_id])
    form_page = editor_client.get(revert_url)
    assert form_page.status_code == 200
    revert = {
        n: form_page.context["adminform"].form[n].value()
        for n in form_page.context["adminform"].form.fields
    }
    revert = {k: ("" if v is None else v) for k, v in revert.items()}
    revert["technologies"] = []
    revert["version"] = Company.objects.get(pk=company.pk).version
    for inline in form_page.context.get("inline_admin_formsets", []):
        prefix = inline.formset.prefix
        revert.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    assert editor_client.post(revert_url, revert).status_code == 302
    assert Company.objects.get(pk=company.pk).name == "EVE Energy"


# Escaping ---------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_every_text_an_editor_enters_is_shown_escaped(client):
    company = CompanyFactory(
        name=HOSTILE,
        native_name=HOSTILE,
        aliases=HOSTILE,
        description=HOSTILE,
        hq_city=HOSTILE,
        tickers=HOSTILE,
        slug="hostile",
    )
    source = SourceFactory(title=HOSTILE, publisher=HOSTILE)
    milestone = MilestoneFactory(company=company, title=HOSTILE, description=HOSTILE)
    ClaimFactory(
        milestone=milestone,
        source=source,
        speaker=HOSTILE,
        quote=HOSTILE,
        target_text="2027",
        stated_on=date(2025, 1, 1),
    )
    for url in (
        "/",
        "/companies/",
        company.get_absolute_url(),
        "/milestones/",
        milestone.get_absolute_url(),
        source.get_absolute_url(),
        "/sources/",
        "/timeline/",
        "/countries/CN/",
        "/feeds/claims/",
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
    # JSON is data, not markup: served as JSON, never sniffed as HTML.
    api = client.get("/api/milestones")
    assert api["Content-Type"] == "application/json; charset=utf-8"
    assert api["X-Content-Type-Options"] == "nosniff"
    assert api.json()["results"][0]["title"] == HOSTILE


# CSV formula injection ----------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
NUMBER = r"-?\d+(\.\d+)?"


def csv_cells(response) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def hostile_cells(editor):
    company = CompanyFactory(
        name=FORMULAS[0],
        native_name=FORMULAS[1],
        hq_city=FORMULAS[2],
        tickers=FORMULAS[3],
        slug="formulas",
        country="CN",
    )
    source = SourceFactory(title=FORMULAS[4], publisher=FORMULAS[5])
    milestone = MilestoneFactory(company=company, title=FORMULAS[0], slug="formula")
    return ClaimFactory(
        milestone=milestone,
        source=source,
        speaker=FORMULAS[3],
        quote=FORMULAS[2],
        target_text="2027",
        stated_on=date(2025, 1, 1),
    )


def assert_no_cell_is_a_formula(rows: list[list[str]]):
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert re.fullmatch(NUMBER, cell), cell


@pytest.mark.parametrize(
    "url", ["/companies/", "/milestones/", "/timeline/", "/sources/", "/countries/"]
)
def test_csv_exports_neutralise_text_a_spreadsheet_would_run_as_a_formula(
    client, hostile_cells, url
):
    rows = csv_cells(client.get(url, {"format": "csv"}))
    assert_no_cell_is_a_formula(rows)
    if url != "/countries/":  # which names no editor's text
        assert any(cell[1:] in FORMULAS for row in rows for cell in row), rows


def test_the_claims_export_action_neutralises_formulas_and_imports_them_back(
    editor_client, hostile_cells
):
    from claims.imports import import_claims_csv

    response = editor_client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_csv", "_selected_action": [hostile_cells.pk]},
    )
    rows = csv_cells(response)
    assert_no_cell_is_a_formula(rows)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    Claim.objects.all().delete()
    report = import_claims_csv(text=text.getvalue(), dry_run=False)
    assert report.saved, [r.errors for r in report.rows]
    claim = Claim.objects.select_related("source").get()
    assert claim.speaker == FORMULAS[3]
    assert claim.quote == FORMULAS[2]
    assert claim.source.title == FORMULAS[4].strip()


def test_negative_numbers_stay_numbers_in_numeric_columns():
    from claims.views.common import csv_response

    rows = csv_cells(csv_response("x.csv", ["n", "text"], [[-5, "-5"], [-1.5, "=1"]]))
    assert rows[1:] == [["-5", "'-5"], ["-1.5", "'=1"]]


@given(st.text())
def test_a_neutralised_cell_reads_back_to_the_original_text(text):
    from claims.csvcells import neutralise, restore

    cell = neutralise(text)
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert restore(cell) == text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.example/a"])
def test_source_urls_must_be_http(url):
    from django.core.exceptions import ValidationError

    source = SourceFactory.build(url=url)
    with pytest.raises(ValidationError):
        source.full_clean()


def test_company_website_must_be_http():
    from django.core.exceptions import ValidationError

    company = CompanyFactory.build(website="javascript:alert(1)")
    with pytest.raises(ValidationError):
        company.full_clean()


# Health -----------------------------------------------------------------------------------


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
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
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.startswith("503"), result.stdout + result.stderr
    assert "unreachable" in result.stdout


def test_healthz_is_200_when_it_does(client):
    assert client.get("/healthz").status_code == 200
    assert Milestone.objects.count() == 0 and Claim.objects.count() == 0
