"""An editor turns a news article into a Source with claims for two companies."""

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, Source
from tests.factories import CompanyFactory, MilestoneFactory

pytestmark = pytest.mark.django_db(transaction=True)


def pick(page, select_id: str, term: str) -> None:
    """Choose an option in one of the admin's autocomplete (select2) widgets."""
    page.locator(f"#{select_id}").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=term).first.click()


def test_editor_adds_source_with_claims_for_two_companies(live_server, page, editor):
    MilestoneFactory(company=CompanyFactory(name="EVE Energy"), title="Phase 2 at 100 MWh")
    MilestoneFactory(company=CompanyFactory(name="Qingtao Energy"), title="Southwest base runs")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", "correct-horse-9")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/claims/source/add/")

    page.fill("#id_url", "https://news.example.com/chengdu-ssb")
    page.fill("#id_title", "Chengdu solid-state lines")
    page.fill("#id_publisher", "Example News")
    page.fill("#id_published_on", "2025-09-08")

    pick(page, "id_claims-0-milestone", "Phase 2 at 100 MWh")
    page.fill("#id_claims-0-stated_on", "2025-09-02")
    page.fill("#id_claims-0-target_text", "December 2026")
    preview = page.locator("#id_claims-0-target_text ~ .period-preview")
    expect(preview).to_contain_text("Understood as Dec 2026")

    page.get_by_text(re.compile("Add another claim", re.I)).click()
    pick(page, "id_claims-1-milestone", "Southwest base runs")
    page.fill("#id_claims-1-stated_on", "2025-09-05")
    page.fill("#id_claims-1-target_text", "soonish")
    expect(page.locator("#id_claims-1-target_text ~ .period-preview")).to_contain_text(
        "Could not read"
    )
    page.fill("#id_claims-1-target_text", "2028")
    expect(page.locator("#id_claims-1-target_text ~ .period-preview")).to_contain_text(
        "Understood as 2028"
    )
    page.click("input[name=_save]")

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    source = Source.objects.get(url="https://news.example.com/chengdu-ssb")
    assert sorted(c.target_label for c in Claim.objects.filter(source=source)) == [
        "2028",
        "Dec 2026",
    ]
