"""Scorecards (/scorecards/), their place on company and country pages, and /compare/."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.capacity import to_gwh
from claims.models import CapacityUnit, Claim
from claims.read import AsOf
from claims.read.scorecards import capacity_of, scorecards
from claims.status import slip_spread
from tests.factories import ClaimFactory, CompanyFactory, FacilityFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-01"
DAY = date(2026, 6, 1)


def promise(company, target="Jun 2025", **kwargs):
    milestone = MilestoneFactory(company=company)
    ClaimFactory(milestone=milestone, stated_on=date(2025, 1, 1), target_text=target)
    return milestone


def achieve(milestone, on: date):
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.ACHIEVEMENT,
        stated_on=on,
        achieved_on=on,
        evidence=1,
    )


def cancel(milestone):
    ClaimFactory(milestone=milestone, kind=Claim.Kind.CANCELLATION, stated_on=date(2025, 3, 1))


def history(company, *, on_time=0, late=(), overdue=0, cancelled=0, pending=0):
    """Milestones with known outcomes as of AS_OF: `late` lists achievement days after a
    June 2025 target."""
    for _ in range(on_time):
        achieve(promise(company), date(2025, 6, 10))
    for day in late:
        achieve(promise(company), day)
    for _ in range(overdue):
        promise(company, "Dec 2025")
    for _ in range(cancelled):
        cancel(promise(company))
    for _ in range(pending):
        promise(company, "2027")


@pytest.fixture
def three():
    """Reliable keeps 3 of 3; Slippery is late twice and overdue once; Newcomer has one
    dated target (too few to rank with the default of three)."""
    reliable = CompanyFactory(name="Reliable", slug="reliable", country="JP")
    slippery = CompanyFactory(name="Slippery", slug="slippery", country="CN")
    newcomer = CompanyFactory(name="Newcomer", slug="newcomer", country="CN")
    history(reliable, on_time=3, pending=1)
    history(slippery, late=[date(2025, 9, 15), date(2026, 1, 20)], overdue=1, cancelled=1)
    history(newcomer, on_time=1)
    return reliable, slippery, newcomer


def rows_of(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_verdict_tallies_from_known_histories(three):
    rows = {r.key: r for r in scorecards(AsOf(DAY), by="company")}
    reliable, slippery = rows["reliable"].record, rows["slippery"].record
    assert (reliable.on_time, reliable.pending, reliable.late, reliable.overdue) == (3, 1, 0, 0)
    assert (slippery.late, slippery.overdue, slippery.cancelled, slippery.on_time) == (2, 1, 1, 0)
    assert slippery.dated == 4
    assert slippery.kept_share == 0


def test_slip_spread_gives_quartiles_least_and_most():
    spread = slip_spread([0, 2, 4, 6, 10])
    assert (spread.least, spread.lower, spread.median, spread.upper, spread.most) == (
        0,
        2,
        4,
        6,
        10,
    )
    assert slip_spread([]) is None
    assert slip_spread([5]).lower == slip_spread([5]).upper == 5


def test_ranks_only_peers_with_enough_dated_targets(three):
    rows = {r.key: r for r in scorecards(AsOf(DAY), by="company", min_dated=3)}
    assert rows["reliable"].rank == 1
    assert rows["slippery"].rank == 2
    assert rows["newcomer"].rank is None
    rows = {r.key: r for r in scorecards(AsOf(DAY), by="company", min_dated=1)}
    assert rows["reliable"].rank == rows["newcomer"].rank == 1  # both kept all: a tie
    assert rows["slippery"].rank == 3


def test_scorecards_page_shows_tallies_ranks_and_the_spread(client, three):
    response = client.get(reverse("claims:scorecards") + f"?as_of={AS_OF}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reliable" in html and "Slippery" in html
    assert "2 companies ranked (with at least 3 dated targets)" in html
    assert "Spread of slips" in html and "<svg" in html
    assert "Spread of slips as a table" in html


def test_min_parameter_changes_who_is_ranked(client, three):
    html = client.get(reverse("claims:scorecards") + f"?as_of={AS_OF}&min=1").content.decode()
    assert "3 companies ranked (with at least 1 dated target)" in html


@pytest.mark.parametrize("value", ["0", "51", "many", "-3"])
def test_min_out_of_bounds_gives_a_message_and_the_default(client, three, value):
    response = client.get(reverse("claims:scorecards") + f"?as_of={AS_OF}&min={value}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "dated targets must be" in html
    assert "2 companies ranked (with at least 3 dated targets)" in html


def test_bad_by_and_sort_give_messages_not_errors(client, three):
    response = client.get(reverse("claims:scorecards") + "?by=planets&sort=%3Cx%3E")
    assert response.status_code == 200
    assert "is not a choice" in response.content.decode()


def test_scorecards_by_country_add_up_their_companies(client, three):
    rows = {r.key: r for r in scorecards(AsOf(DAY), by="country")}
    assert rows["CN"].record.late == 2 and rows["CN"].record.on_time == 1
    html = client.get(reverse("claims:scorecards") + f"?by=country&as_of={AS_OF}").content.decode()
    assert "China" in html and "Japan" in html


def test_sort_by_name_and_by_overdue(client, three):
    rows = scorecards(AsOf(DAY), by="company", sort="name")
    assert [r.key for r in rows] == ["newcomer", "reliable", "slippery"]
    assert scorecards(AsOf(DAY), by="company", sort="overdue")[0].key == "slippery"


def test_scorecards_csv(client, three):
    response = client.get(reverse("claims:scorecards") + f"?as_of={AS_OF}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = {r["key"]: r for r in rows_of(response)}
    assert rows["reliable"]["rank"] == "1"
    assert rows["newcomer"]["rank"] == ""
    assert rows["slippery"]["achieved_late"] == "2"
    assert rows["slippery"]["as_of"] == AS_OF


def test_scorecards_as_of_a_day_before_the_claims_are_empty(client, three):
    html = client.get(reverse("claims:scorecards") + "?as_of=2024-01-01").content.decode()
    assert "No track records as of this date" in html


def test_scorecards_as_of_before_achievements_count_them_pending(three):
    rows = {r.key: r for r in scorecards(AsOf(date(2025, 3, 1)), by="company")}
    assert rows["reliable"].record.on_time == 0
    assert rows["reliable"].record.pending == 4


def test_htmx_request_renders_only_results(client, three):
    response = client.get(reverse("claims:scorecards"), headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert 'id="results"' in response.content.decode()


def test_company_page_shows_its_rank_and_spread(client, three):
    html = client.get(reverse("claims:company_detail", args=["slippery"]) + f"?as_of={AS_OF}")
    html = html.content.decode()
    assert "Ranked 2 of 2" in html
    assert "Spread of slips as a table" in html


def test_company_page_with_too_few_dated_targets_says_so(client, three):
    html = client.get(reverse("claims:company_detail", args=["newcomer"]) + f"?as_of={AS_OF}")
    assert "Not ranked" in html.content.decode()


def test_country_page_shows_its_rank(client, three):
    html = client.get(reverse("claims:country_detail", args=["CN"]) + f"?as_of={AS_OF}")
    assert "Ranked" in html.content.decode()


# -- compare -------------------------------------------------------------------------------


def compare_url(*slugs, as_of=AS_OF):
    query = "&".join(f"company={s}" for s in slugs)
    return reverse("claims:compare") + f"?{query}&as_of={as_of}"


def test_compare_sets_two_companies_side_by_side(client, three):
    FacilityFactory(
        company=three[0], capacity_value=Decimal("8"), capacity_unit=CapacityUnit.GWH_PER_YEAR
    )
    FacilityFactory(
        company=three[0], capacity_value=Decimal("500"), capacity_unit=CapacityUnit.MWH_PER_YEAR
    )
    FacilityFactory(
        company=three[1],
        name="Cell works",
        capacity_value=Decimal("1000000"),
        capacity_unit=CapacityUnit.CELLS_PER_YEAR,
    )
    response = client.get(compare_url("reliable", "slippery"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Track records" in html and "Timelines on one axis" in html
    assert "8.5" in html  # 8 GWh/yr + 500 MWh/yr
    assert "Cell works</a>: 1,000,000 cells/yr (not convertible)" in html
    assert html.count('class="chart-svg timeline-svg"') == 2


def test_compare_timelines_come_from_the_fragment_cache_the_second_time(client, three):
    from claims.read.scorecards import Comparison

    url = compare_url("reliable", "slippery")
    client.get(url)
    read = Comparison.timelines.func
    Comparison.timelines.func = lambda self: pytest.fail("timelines read again")
    try:
        html = client.get(url + "&_again=1").content.decode()
    finally:
        Comparison.timelines.func = read
    assert html.count('class="chart-svg timeline-svg"') == 2


def test_compare_draws_every_timeline_on_one_axis(three):
    from claims.read.scorecards import compare

    compared = compare(AsOf(DAY), [three[0], three[1]])
    charts = [t.chart for t in compared.timelines]
    assert charts[0].start == charts[1].start and charts[0].end == charts[1].end
    assert charts[0].ticks == charts[1].ticks


@pytest.mark.parametrize(
    ("slugs", "message"),
    [
        (("reliable",), "at least one more company"),
        (("reliable", "slippery", "newcomer", "a", "b"), "at most four companies (5 given)"),
        (("reliable", "nobody"), "nobody is not a company we know"),
        (("reliable", "reliable"), "at least one more company"),
    ],
)
def test_compare_refuses_too_few_too_many_or_unknown(client, three, slugs, message):
    response = client.get(compare_url(*slugs))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Timelines on one axis" not in html


def test_compare_refuses_five_known_companies(client, three):
    for n in range(2):
        CompanyFactory(slug=f"extra-{n}")
    response = client.get(compare_url("reliable", "slippery", "newcomer", "extra-0", "extra-1"))
    assert "Compare at most four companies (5 given)" in response.content.decode()


def test_compare_without_companies_shows_the_form(client, three):
    html = client.get(reverse("claims:compare")).content.decode()
    assert 'name="company"' in html and "Pick two to four companies" in html


def test_compare_as_of_before_the_claims_has_no_milestones(client, three):
    html = client.get(compare_url("reliable", "slippery", as_of="2024-06-01")).content.decode()
    assert "No milestones had been stated by this date" in html


def test_capacity_converts_gwh_and_mwh_and_not_tonnes():
    assert to_gwh(Decimal("2000"), CapacityUnit.MWH_PER_YEAR)[0] == Decimal("2")
    assert to_gwh(Decimal("3"), CapacityUnit.GWH_PER_YEAR)[0] == Decimal("3")
    assert to_gwh(Decimal("3"), CapacityUnit.TONNES_PER_YEAR)[0] is None
    assert to_gwh(None, CapacityUnit.GWH_PER_YEAR)[0] is None


def test_capacity_lists_what_it_cannot_convert(db):
    company = CompanyFactory()
    a = FacilityFactory(company=company, capacity_value=1, capacity_unit=CapacityUnit.GWH_PER_YEAR)
    b = FacilityFactory(
        company=company, capacity_value=5, capacity_unit=CapacityUnit.TONNES_PER_YEAR
    )
    c = FacilityFactory(company=company)
    capacity = capacity_of([a, b, c])
    assert (capacity.gwh, capacity.converted, capacity.facilities) == (1, 1, 3)
    assert capacity.not_convertible == [b]


# -- query counts --------------------------------------------------------------------------


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_stay_the_same_as_the_data_grows(client):
    def grow(n):
        for i in range(n):
            company = CompanyFactory(slug=f"grow-{n}-{i}", country="CN" if i % 2 else "JP")
            FacilityFactory(company=company)
            history(company, on_time=1, late=[date(2025, 9, 1)], overdue=1)

    grow(2)
    urls = [
        reverse("claims:scorecards") + f"?as_of={AS_OF}",
        reverse("claims:scorecards") + f"?as_of={AS_OF}&by=country",
        compare_url("grow-2-0", "grow-2-1"),
    ]
    small = [count(client, u) for u in urls]
    from django.core.cache import caches

    grow(12)
    for name in caches.settings:
        caches[name].clear()
    large = [count(client, u) for u in urls]
    assert small == large
    assert max(large) <= 12, large


def test_compare_takes_companies_typed_by_name_or_a_part_only_one_has(client, three):
    html = client.get(reverse("claims:compare"), {"company": ["reliable", "SLIPPERY"]}).text
    assert "Timelines on one axis" in html
    html = client.get(reverse("claims:compare"), {"company": ["Relia", "ppery"]}).text
    assert "Timelines on one axis" in html
    # the companies found stay ticked, to remove; the free boxes add more
    assert 'value="reliable" id="compare-reliable" checked' in html
    assert html.count('type="text" name="company"') == 2


def test_compare_refuses_a_part_of_several_names_and_keeps_what_was_typed(client, three):
    CompanyFactory(name="Reliable Two", slug="reliable-two")
    html = client.get(reverse("claims:compare"), {"company": ["slippery", "eliab"]}).text
    assert "matches several companies (Reliable, Reliable Two): type more of it." in html
    assert "Timelines on one axis" not in html
    assert 'value="eliab"' in html


def test_compare_page_does_not_list_every_company(client, three, django_assert_max_num_queries):
    for n in range(40):
        CompanyFactory(name=f"Listed nowhere {n}", slug=f"listed-{n}")
    url = compare_url("reliable", "slippery")
    with django_assert_max_num_queries(12):
        html = client.get(url).text
    assert "Listed nowhere" not in html


def test_compare_refuses_many_names_without_looking_each_up(
    client, three, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        html = client.get(reverse("claims:compare"), {"company": [f"x{n}" for n in range(60)]})
    assert "Compare at most four companies (50 given)" in html.text


def test_compare_refuses_an_overlong_name_and_keeps_no_more_than_its_box_holds(client, three):
    html = client.get(reverse("claims:compare"), {"company": ["reliable", "r" * 5000]}).text
    assert "Type at most 100 characters of a company" in html
    (kept,) = re.findall(r'<input type="text" name="company" id="compare-add-2" value="(r*)"', html)
    assert kept == "r" * 100
