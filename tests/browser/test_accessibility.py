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
        "scorecards": "/scorecards/",
        "compare": "/compare/?company=eve-energy&company=qingtao-energy",
        "metrics": "/metrics/",
        "methodology": "/methodology/",
    }


@pytest.fixture
def page_at_width(browser):
    """page_at_width(width): a fresh page that wide. Fails the test on any console error.

    CSP is bypassed so that axe-core's script can be injected; the analyst flow tests keep it.
    """
    contexts, problems = [], []

    def open_page(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, f"console errors: {problems}"


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
