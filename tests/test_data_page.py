"""The data page, the one-file download of everything, and the links that lead to them."""

import csv
import io
import zipfile
from datetime import date

import pytest

from claims import export
from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source
from claims.read import AsOf
from claims.services import load_demo_data
from claims.status import METHODOLOGY_VERSION
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

TABLES = {
    "companies.csv": Company,
    "facilities.csv": Facility,
    "relations.csv": CompanyRelation,
    "milestones.csv": Milestone,
    "claims.csv": Claim,
    "sources.csv": Source,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module (it takes a while) and removed after."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        load_demo_data()
        yield
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def export_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_DIR", tmp_path / "export")
    return tmp_path / "export"


def download(client) -> zipfile.ZipFile:
    response = client.get("/data/ssb-tracker.zip")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ssb-tracker.zip"'
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_data_page_links_every_way_out(client, demo):
    response = client.get("/data/")
    assert response.status_code == 200
    for href in (
        'href="/api/docs"',
        'href="/api/openapi.json"',
        'href="/feeds/claims/"',
        'href="/calendar.ics"',
        'href="/data/ssb-tracker.zip"',
        'href="/companies/?format=csv"',
        'href="/milestones/?format=csv"',
        'href="/sources/?format=csv"',
        'href="/countries/?format=csv"',
        'href="/facilities/?format=csv"',
        "/feed/",
        "/calendar.ics",
    ):
        assert href in response.text, href
    assert f"methodology version {METHODOLOGY_VERSION}" in response.text


def test_navigation_links_every_section(client, demo):
    response = client.get("/")
    nav = response.text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for href in (
        "/companies/",
        "/milestones/",
        "/timeline/",
        "/facilities/",
        "/pipeline/",
        "/map/",
        "/scorecards/",
        "/metrics/",
        "/methodology/",
        "/data/",
    ):
        assert f'href="{href}"' in nav, href


def test_navigation_marks_the_data_page_as_current(client):
    response = client.get("/data/")
    assert 'href="/data/" aria-current="page"' in response.text


def test_company_page_links_its_feed_and_calendar(client, demo):
    response = client.get("/companies/eve-energy/")
    assert 'href="/companies/eve-energy/feed/"' in response.text
    assert 'href="/companies/eve-energy/calendar.ics"' in response.text


def test_zip_has_a_csv_per_table_with_a_row_per_database_row(client, demo):
    archive = download(client)
    for name, model in TABLES.items():
        rows = read_csv(archive, name)
        # Milestones as of today: those with a claim stated by today.
        expected = (
            AsOf(date.today()).milestones().count() if model is Milestone else model.objects.count()
        )
        assert len(rows) == expected, name
        assert rows, f"{name} is empty on the demo data"


def test_dictionary_describes_every_column_of_every_csv(client, demo):
    archive = download(client)
    described = {(row["file"], row["column"]) for row in read_csv(archive, "dictionary.csv")}
    for name in TABLES:
        header = next(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
        for column in header:
            assert (name, column) in described, f"{name}: {column} is not in the dictionary"
    readme = archive.read("README.md").decode()
    assert "`target_latest`" in readme


def test_zip_names_the_methodology_and_data_versions_and_the_day(client, demo):
    archive = download(client)
    version = dict(line.split("=", 1) for line in archive.read("VERSION.txt").decode().splitlines())
    assert version["methodology_version"] == METHODOLOGY_VERSION
    assert version["data_version"] not in ("", "unknown")
    assert version["built_on"] == date.today().isoformat()
    assert f"Methodology version: {METHODOLOGY_VERSION}" in archive.read("README.md").decode()


def test_milestones_carry_their_status_as_of_the_day_built(client, demo):
    rows = {row["slug"]: row for row in read_csv(download(client), "milestones.csv")}
    phase_1 = rows["eve-chengdu-phase-1"]
    assert phase_1["status"] in {"achieved", "overdue", "delayed", "on_track", "cancelled"}
    assert phase_1["as_of"] == date.today().isoformat()


def test_cell_figures_are_in_the_zip_and_its_dictionary(client, demo):
    archive = download(client)
    milestones = {row["slug"]: row for row in read_csv(archive, "milestones.csv")}
    xin_bixiao = milestones["sunwoda-xin-bixiao-unveiled"]
    assert (xin_bixiao["energy_density_wh_kg"], xin_bixiao["cycle_life"]) == ("400.0", "1200")
    assert milestones["eve-chengdu-phase-2"]["capacity_unit"] == "mwh_per_year"
    facilities = {row["slug"]: row for row in read_csv(archive, "facilities.csv")}
    yasu = facilities["murata-yasu-plant"]
    assert (yasu["cell_nominal_voltage"], yasu["cell_ah"]) == ("3.80", "")
    described = {
        (r["file"], r["column"]): r["description"] for r in read_csv(archive, "dictionary.csv")
    }
    assert described[("milestones.csv", "cycle_life")].endswith("in cycles.")
    assert described[("facilities.csv", "cell_nominal_voltage")].startswith(
        "Cell nominal voltage (V). The nominal voltage of the cell made there."
    )


def test_partial_dates_keep_both_bounds_and_their_precision(client, demo):
    claims = read_csv(download(client), "claims.csv")
    coarse = [c for c in claims if c["target_precision"] in {"quarter", "half", "year"}]
    assert coarse
    for claim in coarse:
        assert claim["target_earliest"] < claim["target_latest"]


def test_formula_leading_cells_are_neutralised(client):
    CompanyFactory(name='=HYPERLINK("http://x")', slug="formula")
    rows = read_csv(download(client), "companies.csv")
    names = [r["name"] for r in rows]
    assert '\'=HYPERLINK("http://x")' in names
    assert '=HYPERLINK("http://x")' not in names


def test_zip_is_built_once_then_served_from_its_file(client, demo, monkeypatch):
    builds = []
    real = export.write_zip
    monkeypatch.setattr(export, "write_zip", lambda *a, **k: builds.append(1) or real(*a, **k))
    first = client.get("/data/ssb-tracker.zip")
    b"".join(first.streaming_content)
    second = client.get("/data/ssb-tracker.zip")
    b"".join(second.streaming_content)
    assert len(builds) == 1


def test_an_edit_rebuilds_the_zip_with_the_new_data(client, demo, export_dir):
    before = download(client)
    company = Company.objects.get(slug="eve-energy")
    company.name = "EVE Energy Renamed"
    company.save()
    after = download(client)
    names = {row["name"] for row in read_csv(after, "companies.csv")}
    assert "EVE Energy Renamed" in names
    company.name = "EVE Energy"
    company.save()
    assert "EVE Energy Renamed" not in {row["name"] for row in read_csv(before, "companies.csv")}
    assert before.read("VERSION.txt") != after.read("VERSION.txt")
    assert len(list(export_dir.glob("*.zip"))) == 1, "the older zip is removed"


def test_data_pages_answer_head_and_refuse_post(client):
    assert client.head("/data/").status_code == 200
    assert client.post("/data/").status_code == 405
    assert client.post("/data/ssb-tracker.zip").status_code == 405


def test_api_docs_have_a_phone_viewport(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
