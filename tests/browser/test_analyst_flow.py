"""An analyst filters companies, opens EVE, checks its two phases and proves it with a source."""

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# Between the end of phase 1's target (Dec 2025) and the end of phase 2's (Dec 2026).
TODAY = datetime(2026, 3, 2, 12, 0)
PHASE_1 = "Phase 1 of the Chengdu base completed, able to make 60Ah cells"
PHASE_2 = "Phase 2 of the Chengdu base delivers 100 MWh a year"


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def company_count(page) -> int:
    return int(page.locator("#results .count-line strong").inner_text())


def mark_document(page) -> None:
    """A flag on window: it survives htmx swaps and disappears on a full page load."""
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_analyst_filters_by_country_opens_eve_and_checks_phase_one_as_of_a_past_day(
    live_server, page, demo, time_machine
):
    time_machine.move_to(TODAY, tick=True)

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Solid-state battery promises, tracked"
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    expect(page).to_have_url(f"{live_server.url}/companies/")
    everyone = company_count(page)
    expect(page.get_by_role("link", name="Honda Motor")).to_be_visible()

    # China: htmx swaps the results in place and pushes the filtered URL.
    mark_document(page)
    page.get_by_role("checkbox", name=re.compile(r"^China\b")).check()
    expect(page).to_have_url(re.compile(r"[?&]country=CN\b"))
    expect(page.get_by_role("link", name="Honda Motor")).to_have_count(0)
    assert same_document(page), "ticking a filter reloaded the whole page"
    chinese = company_count(page)
    assert 0 < chinese < everyone
    # Screen readers hear the new count: a status region outside the swapped results.
    expect(page.get_by_role("status")).to_have_text(f"{chinese} companies found")
    assert query(page)["country"] == ["CN"]
    expect(page.get_by_role("checkbox", name=re.compile(r"^China\b"))).to_be_checked()
    expect(page.locator("#results")).to_have_count(1)

    # Japan as well: both countries in the URL, Toyota back in the list.
    page.get_by_role("checkbox", name=re.compile(r"^Japan\b")).check()
    expect(page).to_have_url(re.compile(r"country=JP\b"))
    expect(page.get_by_role("link", name="Toyota Motor Corporation")).to_be_visible()
    assert same_document(page), "ticking a second filter reloaded the whole page"
    assert sorted(query(page)["country"]) == ["CN", "JP"]
    assert chinese < company_count(page) < everyone
    expect(page.locator("#results")).to_have_count(1)

    # The pushed URL is a permalink: opened afresh it shows the same filtered view.
    shared = page.url
    page.reload()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Japan\b"))).to_be_checked()
    assert page.url == shared

    page.get_by_role("link", name="EVE Energy", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EVE Energy")
    milestones = page.locator("table.milestones")
    expect(milestones.locator("tr", has_text=PHASE_1)).to_contain_text("Overdue")
    expect(milestones.locator("tr", has_text=PHASE_1)).to_contain_text("Dec 2025")
    expect(milestones.locator("tr", has_text=PHASE_2)).to_contain_text("On track")
    expect(milestones.locator("tr", has_text=PHASE_2)).to_contain_text("Dec 2026")

    milestones.get_by_role("link", name=PHASE_1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PHASE_1)
    expect(page.locator(".status-line")).to_contain_text("Overdue")
    milestone_url = page.url

    # Follow the source of the announcement: the source page lists this claim.
    history = page.locator("section", has=page.get_by_role("heading", name="Claim history"))
    announcement = history.locator("li.claim", has_text="Announcement")
    source_title = announcement.locator(".cite a").first.inner_text()
    announcement.locator(".cite a").first.click()
    expect(page).to_have_url(re.compile(r"/sources/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(source_title)
    expect(page.get_by_role("link", name=PHASE_1)).to_be_visible()

    # The same milestone as the tracker stood on 5 September 2025: on track, with a banner.
    page.goto(milestone_url)
    page.get_by_label("View as of").fill("2025-09-05")
    page.get_by_role("button", name="Go").click()
    expect(page).to_have_url(re.compile(r"/milestones/\d+/\?as_of=2025-09-05$"))
    expect(page.locator(".status-line")).to_contain_text("On track")
    expect(page.locator(".as-of-banner")).to_contain_text("5 Sep 2025")
    expect(page.get_by_role("link", name="Back to today")).to_be_visible()


def test_filters_work_without_javascript(live_server, browser, demo):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1440, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/companies/")
        everyone = company_count(page)
        page.get_by_role("checkbox", name=re.compile(r"^China\b")).check()
        page.get_by_role("checkbox", name=re.compile(r"^Japan\b")).check()
        page.get_by_role("button", name="Apply filters").click()

        expect(page).to_have_url(re.compile(r"/companies/\?"))
        assert sorted(query(page)["country"]) == ["CN", "JP"]
        assert company_count(page) < everyone
        expect(page.get_by_role("link", name="EVE Energy", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Toyota Motor Corporation")).to_be_visible()
        expect(page.get_by_role("link", name="QuantumScape", exact=True)).to_have_count(0)
        expect(page.get_by_role("checkbox", name=re.compile(r"^China\b"))).to_be_checked()
    finally:
        context.close()


def test_keyboard_reaches_country_filters_and_space_toggles_one(live_server, page, demo):
    page.goto(f"{live_server.url}/companies/")
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "({name: document.activeElement.name, type: document.activeElement.type,"
            " id: document.activeElement.id})"
        )
        if focused["name"] == "country" and focused["type"] == "checkbox":
            break
    else:
        pytest.fail("Tab never reached a country checkbox")

    checkbox = page.locator(f"#{focused['id']}")
    expect(checkbox).to_be_focused()
    outline = checkbox.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline not in ("", "none"), "the focused checkbox shows no focus outline"
    expect(checkbox).not_to_be_checked()

    mark_document(page)
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"[?&]country=[A-Z]{2}\b"))
    expect(page.locator(f"#{focused['id']}")).to_be_checked()
    assert same_document(page)
    # After htmx swaps the results, focus stays on the same checkbox, so the next Space undoes it.
    expect(page.locator(f"#{focused['id']}")).to_be_focused()
    page.keyboard.press("Space")
    expect(page).not_to_have_url(re.compile(r"country="))
    expect(page.locator(f"#{focused['id']}")).not_to_be_checked()
