"""Charts on a phone and on a wide screen: scrolled sideways at 375 px, each row keeps its
label in view and on its own line; at 1440 px nothing in a chart overlaps or scrolls."""

import pytest

from claims.models import Milestone
from tests.browser.test_accessibility import PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = 1440
COMPANY = "/companies/eve-energy/"
COMPARE = "/compare/?company=eve-energy&company=qingtao-energy"

#: Where each chart's second label is, and the band of its row in the plot, as a script that
#: returns both rectangles: {label: DOMRect, top, bottom} (top and bottom of the row's band).
#: `chart` is the chart's <div class="chart …">.
ROW_BAND = {
    # The timeline's second row: its band (every other row is shaded) is the row's height.
    "timeline": """chart => {
        const band = chart.querySelector('rect.tl-band').getBoundingClientRect();
        return {label: chart.querySelectorAll('.tl-label')[1].getBoundingClientRect(),
                top: band.top, bottom: band.bottom};
    }""",
    # A bar of the pipeline: its label on the bar's line.
    "pipeline": """chart => {
        const bar = chart.querySelector('.pp-bar rect').getBoundingClientRect();
        return {label: chart.querySelectorAll('.pp-keys li')[0].getBoundingClientRect(),
                top: bar.top - 5, bottom: bar.bottom + 5};
    }""",
    # The spread of slips: a row's box (16 of its 30 px), its label on the box's line.
    "spread": """chart => {
        const boxes = [...chart.querySelectorAll('rect.sp-box')];
        const rows = [...chart.querySelectorAll('g.sp-row')];
        const i = rows.findIndex(row => row.contains(boxes[0]));
        const box = boxes[0].getBoundingClientRect();
        return {label: chart.querySelectorAll('.sp-keys li')[i].getBoundingClientRect(),
                top: box.top - 7, bottom: box.bottom + 7};
    }""",
    # The scatter's y axis: the second value's label on its gridline.
    "scatter": """chart => {
        const lines = [...chart.querySelectorAll('.scatter-svg .chart-grid line')]
            .filter(line => line.getAttribute('y1') === line.getAttribute('y2'));
        const line = lines[1].getBoundingClientRect();
        return {label: chart.querySelectorAll('.chart-keys .chart-tick-label')[1]
                    .getBoundingClientRect(),
                top: line.top - 8, bottom: line.bottom + 8};
    }""",
}


def chart_cases():
    phase_1 = Milestone.objects.get(slug="eve-chengdu-phase-1")
    return [
        ("company timeline", COMPANY, ".chart-timeline", "timeline"),
        ("compared timeline", COMPARE, ".chart-timeline", "timeline"),
        ("timeline", "/timeline/", ".chart-timeline", "timeline"),
        ("pipeline", "/pipeline/?group=company", ".chart-pipeline", "pipeline"),
        ("scorecards", "/scorecards/", ".chart-spread", "spread"),
        ("company spread of slips", "/companies/qingtao-energy/", ".chart-spread", "spread"),
        ("cell metrics", "/metrics/", ".chart-scatter", "scatter"),
        ("target revisions", phase_1.get_absolute_url(), ".chart-revisions", None),
    ]


def test_scrolled_to_its_far_right_on_a_phone_a_chart_keeps_each_label_beside_its_row(
    live_server, demo, page_at_width
):
    page = page_at_width(PHONE, bypass_csp=False)
    problems = []
    for name, path, chart, band in chart_cases():
        page.goto(live_server.url + path)
        chart = page.locator(chart).first
        scroller = chart.locator(".chart-scroll")
        scroller.scroll_into_view_if_needed()
        scrolled = scroller.evaluate("s => { s.scrollLeft = s.scrollWidth; return s.scrollLeft; }")
        if scrolled <= 0:
            problems.append(f"{name}: the chart does not scroll sideways at {PHONE}px")
        labels = chart.locator(".chart-keys li, .chart-keys .chart-tick-label, svg .tl-label")
        if labels.count() == 0:
            problems.append(f"{name}: no labels found")
            continue
        for box in [labels.nth(i).bounding_box() for i in range(min(labels.count(), 3))]:
            if box is None or box["x"] < -0.5 or box["x"] + box["width"] > PHONE + 0.5:
                problems.append(f"{name}: a label is out of view once scrolled: {box}")
                break
        if band:
            where = chart.evaluate(
                f"chart => {{ try {{ return ({ROW_BAND[band]})(chart); }} "
                "catch (error) { return null; } }"
            )
            if where is None:
                problems.append(f"{name}: no label or row found to compare")
                continue
            middle = where["label"]["y"] + where["label"]["height"] / 2
            if not where["top"] <= middle <= where["bottom"]:
                problems.append(
                    f"{name}: the label's middle ({middle:.0f}px) is off its row "
                    f"({where['top']:.0f}–{where['bottom']:.0f}px)"
                )
        if problems and problems[-1].startswith(name):
            screenshot(page, f"chart-labels-{PHONE}-{name}")
    assert not problems, "\n".join(problems)


def test_on_a_wide_screen_no_chart_scrolls_and_nothing_in_it_overlaps(
    live_server, demo, page_at_width
):
    page = page_at_width(DESKTOP, bypass_csp=False)
    problems = []
    for name, path, chart, _ in chart_cases():
        page.goto(live_server.url + path)
        chart = page.locator(chart).first
        found = chart.evaluate(
            """chart => {
            const rect = el => el.getBoundingClientRect();
            const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
                && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
            const scroller = chart.querySelector('.chart-scroll');
            const keys = chart.querySelector('.chart-keys');
            const plot = scroller.querySelector(':scope > svg:last-child');
            const labels = [...chart.querySelectorAll('.chart-keys li')];
            const problems = [];
            if (!keys || !plot) return ['no label column beside its plot'];
            if (scroller.scrollWidth > scroller.clientWidth + 1)
                problems.push(`it scrolls: ${scroller.scrollWidth}px in ${scroller.clientWidth}px`);
            if (meet(rect(keys), rect(plot))) problems.push('its labels overlap its plot');
            labels.forEach((li, i) => {
                if (i && meet(rect(labels[i - 1]), rect(li)))
                    problems.push(`labels ${i} and ${i + 1} overlap`);
                if (li.scrollHeight > li.clientHeight + 1)
                    problems.push(`label ${i + 1} is cut off at its foot`);
            });
            const legend = chart.querySelector('.chart-legend');
            if (legend && rect(legend).top < rect(scroller).bottom - 0.5)
                problems.push('its legend overlaps it');
            return problems;
        }"""
        )
        problems += [f"{name}: {p}" for p in found]
        if found:
            screenshot(page, f"chart-overlap-{DESKTOP}-{name}")
    assert not problems, "\n".join(problems)
