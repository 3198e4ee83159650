"""Cell metrics claimed against demonstrated (/metrics/)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from claims.read import AsOf, MilestoneFilters
from claims.read.metrics import CLAIMED, DEMONSTRATED, metric_points
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    MilestoneFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-01"
DAY = date(2026, 6, 1)
URL = "/metrics/"


def cell(company, wh_kg, *, target="2027", achieved_on=None, cancelled=False, **metrics):
    milestone = MilestoneFactory(
        company=company, energy_density_wh_kg=Decimal(wh_kg) if wh_kg else None, **metrics
    )
    ClaimFactory(
        milestone=milestone,
        stated_on=date(2025, 1, 1),
        target_text=target,
        source=SourceFactory(title=f"Promise of {milestone.title}"),
    )
    if achieved_on:
        ClaimFactory(
            milestone=milestone,
            kind=Claim.Kind.ACHIEVEMENT,
            stated_on=achieved_on,
            achieved_on=achieved_on,
            evidence=1,
            source=SourceFactory(title=f"Proof of {milestone.title}"),
        )
    if cancelled:
        ClaimFactory(milestone=milestone, kind=Claim.Kind.CANCELLATION, stated_on=date(2025, 2, 1))
    return milestone


@pytest.fixture
def cells():
    eve = CompanyFactory(name="EVE", slug="eve", country="CN")
    qt = CompanyFactory(name="Qingtao", slug="qingtao", country="JP")
    tech = TechnologyFactory(slug="oxide", name="Oxide")
    promised = cell(eve, "400", target="Dec 2027", cell_ah=Decimal("60"))
    shown = cell(eve, "300", target="Jun 2025", achieved_on=date(2025, 11, 3), technology=tech)
    other = cell(qt, "350", target="2026")
    dropped = cell(qt, "500", cancelled=True)
    bare = cell(qt, None)
    return promised, shown, other, dropped, bare


def test_claimed_and_demonstrated_points_with_their_dates(cells):
    promised, shown, other, dropped, bare = cells
    points = {p.milestone: p for p in metric_points(AsOf(DAY), "energy_density_wh_kg")}
    assert set(points) == {promised, shown, other}
    assert (points[promised].kind, points[promised].day) == (CLAIMED, date(2027, 12, 31))
    assert (points[shown].kind, points[shown].day) == (DEMONSTRATED, date(2025, 11, 3))
    assert points[shown].source.title == f"Proof of {shown.title}"
    assert points[promised].source.title == f"Promise of {promised.title}"


def test_before_the_achievement_a_demonstration_is_still_a_claim(cells):
    shown = cells[1]
    points = {p.milestone: p for p in metric_points(AsOf(date(2025, 5, 1)), "energy_density_wh_kg")}
    assert points[shown].kind == CLAIMED


def test_page_shows_the_scatter_and_the_sourced_table(client, cells):
    response = client.get(f"{URL}?as_of={AS_OF}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "scatter-svg" in html and "<title" in html
    assert f"Proof of {cells[1].title}" in html
    assert cells[1].get_absolute_url() in html
    assert "Demonstrated (achieved)" in html and "Claimed (" in html
    assert cells[3].title not in html  # cancelled
    assert "3</strong> points" in html


def test_metric_choice_switches_to_cell_capacity(client, cells):
    html = client.get(f"{URL}?as_of={AS_OF}&metric=ah").content.decode()
    assert cells[0].title in html
    assert cells[1].title not in html
    assert "1</strong> point" in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("country=JP", [2], [0, 1]),
        ("company=eve", [0, 1], [2]),
        ("technology=oxide", [1], [0, 2]),
        ("country=cn&country=JP", [0, 1, 2], []),
    ],
)
def test_filters_narrow_the_points(client, cells, query, shown, hidden):
    html = client.get(f"{URL}?as_of={AS_OF}&{query}").content.decode()
    for i in shown:
        assert f">{cells[i].title}<" in html, query
    for i in hidden:
        assert f">{cells[i].title}<" not in html, query


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("metric=volts", "volts is not a metric: use wh_kg, wh_l, ah, cycles."),
        ("metric=" + "x" * 300, "is not a metric"),
        ("country=ZZ", "is not a country code"),
        ("technology=nope", "nope is not one of the"),
        ("as_of=2026-13-01", "YYYY-MM-DD"),
    ],
)
def test_bad_input_gives_a_message_not_an_error(client, cells, query, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_bad_filter_empties_the_list(client, cells):
    html = client.get(f"{URL}?country=ZZ").content.decode()
    assert "0</strong> points" in html


def test_metrics_csv_names_each_point_and_its_source(client, cells):
    response = client.get(f"{URL}?as_of={AS_OF}&format=csv")
    body = b"".join(response.streaming_content).decode()
    rows = {r["milestone"]: r for r in csv.DictReader(io.StringIO(body))}
    shown = rows[cells[1].title]
    assert (shown["kind"], shown["date"], shown["value"], shown["unit"]) == (
        "demonstrated",
        "2025-11-03",
        "300.0",
        "Wh/kg",
    )
    assert shown["source"] == f"Proof of {cells[1].title}"
    assert shown["as_of"] == AS_OF
    assert len(rows) == 3


def test_as_of_before_any_claim_shows_no_points(client, cells):
    html = client.get(f"{URL}?as_of=2024-01-01").content.decode()
    assert "0</strong> points" in html
    assert "known by this date" in html


def test_htmx_request_renders_only_results(client, cells):
    response = client.get(URL, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()


def test_read_model_filters_by_company(cells):
    read = AsOf(DAY, MilestoneFilters(company="qingtao"))
    assert [p.milestone for p in metric_points(read, "energy_density_wh_kg")] == [cells[2]]


@pytest.mark.parametrize("metric", ["wh_kg", "cycles"])
def test_query_count_stays_the_same_as_the_data_grows(client, metric):
    def grow(n):
        for i in range(n):
            company = CompanyFactory(slug=f"g-{n}-{i}")
            cell(company, "300", achieved_on=date(2025, 5, 1), cycle_life=1000)
            cell(company, "420", cycle_life=2000)

    def count():
        from django.core.cache import caches

        for name in caches.settings:
            caches[name].clear()
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"{URL}?as_of={AS_OF}&metric={metric}")
            assert page.status_code == 200
        assert f"{2 * n}</strong> points" in page.content.decode()
        return len(ctx.captured_queries)

    n = 2
    grow(2)
    small = count()
    n = 12
    grow(10)
    assert count() == small
    assert small <= 10


def test_results_come_from_the_fragment_cache_the_second_time(client, cells):
    from claims.views.scorecards import MetricResults

    client.get(f"{URL}?as_of={AS_OF}")
    read = MetricResults.points.func
    MetricResults.points.func = lambda self: pytest.fail("points read again")
    try:
        html = client.get(f"{URL}?as_of={AS_OF}&_again=1").content.decode()
    finally:
        MetricResults.points.func = read
    assert f"Proof of {cells[1].title}" in html


def test_other_filters_are_not_served_from_another_filters_cache(client, cells):
    client.get(f"{URL}?as_of={AS_OF}")
    html = client.get(f"{URL}?as_of={AS_OF}&company=qingtao").content.decode()
    assert "1</strong> point" in html


# -- cycle life -------------------------------------------------------------------------------


@pytest.fixture
def lasting():
    """A cell shown lasting 1,000 cycles in Nov 2025, and one promised 2,000 for 2027."""
    eve = CompanyFactory(name="EVE", slug="eve", country="CN")
    shown = cell(eve, None, target="Jun 2025", achieved_on=date(2025, 11, 3), cycle_life=1000)
    promised = cell(eve, "400", target="Dec 2027", cycle_life=2000)
    return shown, promised


def test_cycle_life_is_a_metric_with_claimed_and_demonstrated_points(client, lasting):
    shown, promised = lasting
    html = client.get(f"{URL}?as_of={AS_OF}&metric=cycles").content.decode()
    assert "2</strong> points" in html
    assert "Cycle life (cycles): the points and their sources" in html
    assert '<th scope="col" class="num">cycles</th>' in html
    assert '<td class="num">1000</td>' in html and '<td class="num">2000</td>' in html
    assert f"Proof of {shown.title}" in html
    assert f"EVE: 1000 cycles, demonstrated Nov 2025 ({shown.title})" in html
    # Energy density is another metric: the cell without one is not among its points.
    assert shown.title not in client.get(f"{URL}?as_of={AS_OF}").content.decode()


def test_cycle_life_csv_gives_each_point_in_cycles(client, lasting):
    shown, promised = lasting
    response = client.get(f"{URL}?as_of={AS_OF}&metric=cycles&format=csv")
    assert response["Content-Disposition"].endswith('filename="metrics-cycles.csv"')
    body = b"".join(response.streaming_content).decode()
    rows = {r["milestone"]: r for r in csv.DictReader(io.StringIO(body))}
    assert [
        (rows[m.title]["value"], rows[m.title]["unit"], rows[m.title]["kind"])
        for m in (shown, promised)
    ] == [("1000", "cycles", "demonstrated"), ("2000", "cycles", "claimed")]
    assert {r["metric"] for r in rows.values()} == {"cycles"}


def test_cycle_life_as_of_a_day_before_the_achievement_is_a_claim(client, lasting):
    shown, _ = lasting
    points = {p.milestone: p for p in metric_points(AsOf(date(2025, 5, 1)), "cycle_life")}
    assert (points[shown].kind, points[shown].value) == (CLAIMED, 1000)
    html = client.get(f"{URL}?as_of=2025-05-01&metric=cycles").content.decode()
    assert "Demonstrated (achieved)" not in html and "Claimed (on track)" in html
    assert "0</strong> points" in client.get(f"{URL}?as_of=2024-01-01&metric=cycles").text


def test_a_cancelled_cycle_life_claim_is_left_out(client):
    dropped = cell(CompanyFactory(), None, cancelled=True, cycle_life=5000)
    html = client.get(f"{URL}?as_of={AS_OF}&metric=cycles").content.decode()
    assert dropped.title not in html and "0</strong> points" in html
