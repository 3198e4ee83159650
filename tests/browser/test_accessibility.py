"""axe-core on every public page, at a desktop and a phone width; no sideways page scroll on phones.

axe-core comes bundled with axe-playwright-python; we inject its axe.min.js ourselves and run it.
"""

from pathlib import Path

import axe_playwright_python
import pytest

from claims.models import Company, Facility, Milestone, Source
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
BLOCKING = {"serious", "critical"}
DESKTOP, PHONE = 1440, 375


def public_pages() -> dict[str, str]:
    """Every kind of public page, on the demo data: name -> path."""
    eve = Company.objects.get(slug="eve-energy")
    phase_1 = Milestone.objects.get(slug="eve-chengdu-phase-1")
    return {
        "dashboard": "/",
        "company list": "/companies/",
        "facility list": "/facilities/",
        "map": "/map/",
        "company": eve.get_absolute_url(),
        "facility": Facility.objects.get(slug="eve-chengdu-ssb-base").get_absolute_url(),
        "milestone list": "/milestones/",
        "milestone": phase_1.get_absolute_url(),
        "source list": "/sources/",
        "source": Source.objects.filter(claims__milestone=phase_1).first().get_absolute_url(),
        "country list": "/countries/",
        "country": "/countries/CN/",
        "timeline": "/timeline/",
        "pipeline": "/pipeline/?group=company",
        "scorecards": "/scorecards/",
        "compare": "/compare/?company=eve-energy&company=qingtao-energy",
        "metrics": "/metrics/",
        "methodology": "/methodology/",
        "data": "/data/",
    }


def screenshot(page, name: str) -> None:
    """A full-page screenshot in test-artifacts/, for a page that failed a check."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name.replace(' ', '-')}.png", full_page=True)


def axe_violations(page) -> list[dict]:
    # Open the charts' text alternatives (tables in <details>) so that they are checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(name: str, width: int, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(
            f"{name} at {width}px: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})"
        )
        for node in v["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
            lines.append(f"      {node['html'][:160]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_no_serious_or_critical_axe_violations_on_any_public_page(
    live_server, demo, page_at_width, width
):
    page = page_at_width(width)
    report = []
    for name, path in public_pages().items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{name} ({path}) answered {response.status}"
        violations = axe_violations(page)
        if violations:
            report.append(describe(f"{name} ({path})", width, violations))
            screenshot(page, f"axe-{width}-{name}")
    assert not report, "axe-core found serious or critical violations:\n" + "\n".join(report)


def test_no_page_scrolls_sideways_on_a_phone(live_server, demo, page_at_width):
    page = page_at_width(PHONE)
    too_wide = {}
    for name, path in public_pages().items():
        page.goto(live_server.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE + 1:
            culprits = page.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > limit + 1)
                    .filter(el => !el.closest('.table-scroll, .chart-scroll'))
                    .slice(0, 5)
                    .map(el => el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || ''))""",
                PHONE,
            )
            too_wide[f"{name} ({path})"] = f"{scroll_width}px wide; sticking out: {culprits}"
            screenshot(page, f"too-wide-{PHONE}-{name}")
    assert not too_wide, f"pages wider than {PHONE}px: {too_wide}"


#: On each list, the first row's cells that must show without scrolling sideways: its name,
#: its status and its current target (or, where a list has none, its key figures).
FIRST_ROW_CELLS = {
    "dashboard": ["main .dash-list li .dash-title", "main .dash-list li .badge"],
    "company list": [
        "#results tbody tr:first-child th",
        '#results tbody tr:first-child td[data-label="Overdue"]',
        '#results tbody tr:first-child td[data-label="Pending"]',
    ],
    "company": [
        "table.milestones tbody tr:first-child th",
        'table.milestones tbody tr:first-child td[data-label="Status"]',
        'table.milestones tbody tr:first-child td[data-label="Current target"]',
    ],
    "milestone list": [
        "table.milestones tbody tr:first-child th",
        'table.milestones tbody tr:first-child td[data-label="Status"]',
        'table.milestones tbody tr:first-child td[data-label="Current target"]',
    ],
    "source list": [
        "#results tbody tr:first-child th",
        '#results tbody tr:first-child td[data-label="Claims"]',
    ],
    "country list": ["main tbody tr:first-child th"],
    "facility list": [
        "#results tbody tr:first-child th",
        '#results tbody tr:first-child td[data-label="Status"]',
        '#results tbody tr:first-child td[data-label="Capacity"]',
    ],
    "timeline": [
        ".chart-table tbody tr:first-child th",
        '.chart-table tbody tr:first-child td[data-label="Status"]',
        '.chart-table tbody tr:first-child td[data-label="Current target"]',
    ],
}


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_lists_show_name_status_and_target_without_sideways_scroll(
    live_server, demo, page_at_width, width
):
    page = page_at_width(width)
    paths = public_pages()
    problems = []
    for name, selectors in FIRST_ROW_CELLS.items():
        page.goto(live_server.url + paths[name])
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name}: the page is {scroll_width}px wide")
        for selector in selectors:
            cell = page.locator(selector).first
            box = cell.bounding_box()
            if box is None or not cell.is_visible():
                problems.append(f"{name}: {selector} is not shown")
            elif box["x"] < 0 or box["x"] + box["width"] > width + 0.5:
                problems.append(
                    f"{name}: {selector} spans {box['x']:.0f}–{box['x'] + box['width']:.0f}px"
                )
        if problems and problems[-1].startswith(name):
            screenshot(page, f"first-row-{width}-{name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_data_page_and_api_docs_fit_the_screen(live_server, demo, page_at_width, width):
    page = page_at_width(width)
    page.goto(live_server.url + "/data/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not axe_violations(page)
    page.goto(live_server.url + "/api/docs")
    assert page.evaluate("document.querySelector('meta[name=viewport]').content") == (
        "width=device-width, initial-scale=1"
    )
