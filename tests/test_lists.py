"""The analyst pages: filters, facets, CSV, htmx partials, as-of views and bad input."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from claims.models import Claim
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
MILESTONES = reverse("claims:milestone_list")
AS_OF = "2026-06-01"


def promise(company, title, target, stated=date(2024, 1, 10), **extra):
    milestone = MilestoneFactory(company=company, title=title, **extra)
    ClaimFactory(milestone=milestone, stated_on=stated, target_text=target)
    return milestone


def achieve(milestone, on=date(2025, 3, 1)):
    ClaimFactory(
        milestone=milestone, kind=Claim.Kind.ACHIEVEMENT, stated_on=on, achieved_on=on, evidence=1
    )


@pytest.fixture
def world():
    eve = CompanyFactory(name="EVE Energy", slug="eve-energy", country="CN")
    toyota = CompanyFactory(name="Toyota", slug="toyota", country="JP")
    qs = CompanyFactory(name="QuantumScape", slug="quantumscape", country="US")
    promise(eve, "Phase 1 complete", "Dec 2025", kind="capacity_phase")
    promise(eve, "Phase 2 at 100 MWh", "Dec 2026", kind="capacity_phase")
    achieve(promise(toyota, "METI plan certified", "2024"), on=date(2024, 9, 6))
    promise(qs, "QS-0 producing cells", "2023")
    return {"eve": eve, "toyota": toyota, "qs": qs}


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


# Milestone list ---------------------------------------------------------------------------


def test_status_filter_shows_only_that_status(client, world):
    page = text(client.get(MILESTONES, {"status": "overdue", "as_of": AS_OF}))
    assert "Phase 1 complete" in page and "QS-0 producing cells" in page
    assert "Phase 2 at 100 MWh" not in page and "METI plan certified" not in page


def test_several_statuses_and_countries_at_once(client, world):
    page = text(
        client.get(
            MILESTONES + f"?status=on_track&status=achieved&country=cn&country=JP&as_of={AS_OF}"
        )
    )
    assert "Phase 2 at 100 MWh" in page and "METI plan certified" in page
    assert "Phase 1 complete" not in page and "QS-0" not in page


def test_year_kind_and_company_filters(client, world):
    assert "Phase 2 at 100 MWh" in text(client.get(MILESTONES, {"year": "2026", "as_of": AS_OF}))
    assert "Phase 1 complete" not in text(client.get(MILESTONES, {"year": "2026"}))
    kind = text(client.get(MILESTONES, {"kind": "capacity_phase"}))
    assert "Phase 1 complete" in kind and "QS-0" not in kind
    company = text(client.get(MILESTONES, {"company": "toyota"}))
    assert "METI plan certified" in company and "Phase 1" not in company


def test_facets_count_each_status_under_the_other_filters(client, world):
    page = text(client.get(MILESTONES, {"country": "CN", "as_of": AS_OF}))
    assert 'Overdue <span class="count">1</span>' in page
    assert 'On track <span class="count">1</span>' in page
    assert "Achieved <span" not in page  # Toyota's achievement is in another country
    assert 'Japan <span class="count">1</span>' in page  # other countries stay selectable


def test_as_of_shows_the_list_as_it_stood(client, world):
    page = text(client.get(MILESTONES, {"status": "on_track", "as_of": "2025-09-05"}))
    assert "Phase 1 complete" in page
    assert "as it stood on" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "late"}, "late is not a status"),
        ({"country": "ZZ"}, "ZZ is not a country code"),
        ({"year": "twenty"}, "must be a year"),
        ({"year": "99999"}, "less than or equal to 2100"),
        ({"kind": "<script>"}, "is not a milestone kind"),
        ({"as_of": "2025-02-30"}, "YYYY-MM-DD"),
        ({"q": "y" * 1000}, "at most 100 characters"),
    ],
)
def test_bad_parameters_give_a_message_and_no_error(client, world, params, message):
    page = text(client.get(MILESTONES, params))
    assert message in page
    assert "<script>" not in page.split("<main")[1]


def test_bad_filter_gives_an_empty_list(client, world):
    page = text(client.get(MILESTONES, {"status": "late"}))
    assert "No milestones" in page and "Phase 1 complete" not in page


def test_page_out_of_range_shows_last_page_with_a_note(client, world):
    page = text(client.get(MILESTONES, {"page": "999"}))
    assert "There is no page 999" in page
    assert "Phase 1 complete" in page
    assert "There is no page" in text(client.get(MILESTONES, {"page": "abc"}))


def test_pagination_links_keep_the_filters(client):
    company = CompanyFactory(country="CN")
    for n in range(55):
        promise(company, f"Promise {n:02d}", "2030")
    page = text(client.get(MILESTONES, {"country": "CN", "sort": "company"}))
    assert "?country=CN&amp;sort=company&amp;page=2" in page


def test_htmx_request_renders_only_results(client, world):
    page = text(client.get(MILESTONES, {"status": "overdue"}, headers={"HX-Request": "true"}))
    assert "<html" not in page
    assert 'id="results"' in page
    assert "QS-0 producing cells" in page


def test_milestone_csv_has_same_filters_and_iso_dates(client, world):
    response = client.get(MILESTONES, {"status": "overdue", "format": "csv", "as_of": AS_OF})
    rows = csv_rows(response)
    assert {r["title"] for r in rows} == {"Phase 1 complete", "QS-0 producing cells"}
    phase1 = next(r for r in rows if r["title"] == "Phase 1 complete")
    assert phase1["current_target_stated"] == "Dec 2025"
    assert phase1["current_target_due"] == "2025-12-31"
    assert phase1["status"] == "overdue"
    assert phase1["as_of"] == AS_OF
    assert phase1["country"] == "CN"


# Company list -----------------------------------------------------------------------------


def test_company_list_shows_track_record_and_sorts_by_it(client, world):
    page = text(client.get(reverse("claims:company_list"), {"sort": "overdue", "as_of": AS_OF}))
    assert page.index("EVE Energy") < page.index("Toyota")
    rows = csv_rows(client.get(reverse("claims:company_list"), {"format": "csv", "as_of": AS_OF}))
    eve = next(r for r in rows if r["slug"] == "eve-energy")
    assert (eve["overdue"], eve["pending"], eve["milestones"]) == ("1", "1", "2")


def test_company_list_role_and_technology_facets(client, world):
    page = text(client.get(reverse("claims:company_list"), {"role": "cell_maker"}))
    assert 'Cell maker <span class="count">3</span>' in page


# Dashboard, countries, sources, timeline, methodology -------------------------------------


def test_dashboard_sections(client, world):
    page = text(client.get("/", {"as_of": AS_OF}))
    for heading in (
        "Due in the next 12 months",
        "Overdue",
        "Recently achieved",
        "Recent target revisions",
        "Milestones by country and status",
    ):
        assert heading in page
    due = page.split("Due in the next 12 months")[1].split("Overdue")[0]
    assert "Phase 2 at 100 MWh" in due
    overdue = page.split('id="overdue-h"')[1].split("Recently achieved")[0]
    assert "Phase 1 complete" in overdue and "QS-0 producing cells" in overdue


def test_dashboard_lists_slips_and_pull_ins(client, world):
    milestone = promise(world["toyota"], "Commercial SSB", "2025", stated=date(2022, 1, 10))
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.REVISION,
        stated_on=date(2023, 6, 13),
        target_text="2027",
    )
    page = text(client.get("/", {"as_of": AS_OF}))
    assert "Slipped" in page and "2025 → <strong>2027</strong>" in page


def test_country_comparison_and_country_page(client, world):
    page = text(client.get(reverse("claims:country_list"), {"as_of": AS_OF}))
    assert "China" in page and "Japan" in page
    china = text(client.get(reverse("claims:country_detail", args=["cn"]), {"as_of": AS_OF}))
    assert "EVE Energy" in china and "Phase 2 at 100 MWh" in china and "Toyota" not in china
    assert client.get(reverse("claims:country_detail", args=["XX"])).status_code == 404
    rows = csv_rows(client.get(reverse("claims:country_list"), {"format": "csv"}))
    assert {r["country"] for r in rows} == {"CN", "JP", "US"}


def test_source_list_filters_by_kind_and_downloads(client):
    SourceFactory(title="A filing", kind="regulatory_filing")
    SourceFactory(title="A report", kind="news")
    page = text(client.get(reverse("claims:source_list"), {"kind": "regulatory_filing"}))
    assert "A filing" in page and "A report" not in page
    rows = csv_rows(client.get(reverse("claims:source_list"), {"format": "csv", "q": "report"}))
    assert [r["title"] for r in rows] == ["A report"]


def test_timeline_draws_every_milestone_with_a_text_alternative(client, world):
    page = text(client.get(reverse("claims:timeline"), {"as_of": AS_OF}))
    assert "<svg" in page and "<desc" in page
    for title in ("Phase 1 complete", "Phase 2 at 100 MWh", "QS-0 producing cells"):
        assert title in page


def test_methodology_names_every_status_and_rule(client):
    page = text(client.get(reverse("claims:methodology")))
    for slug in ("achieved", "cancelled", "overdue", "delayed", "on_track", "undated"):
        assert f"<code>{slug}</code>" in page
    assert "24 months" in page
    assert "1 Apr 2028" in page and "31 Mar 2029" in page  # FY2028, from the parser itself


def test_facility_page_shows_phases_planned_against_reached(client):
    facility = FacilityFactory(name="Chengdu base")
    phase = promise(
        facility.company,
        "Phase 1",
        "Dec 2025",
        facility=facility,
        kind="capacity_phase",
        capacity_value=100,
        capacity_unit="mwh_per_year",
    )
    achieve(phase, on=date(2025, 12, 20))
    page = text(client.get(facility.get_absolute_url()))
    assert "100 MWh/yr" in page and "20 Dec 2025" in page and "Achieved" in page


def test_milestone_page_has_revisions_chart_and_evidence(client, world):
    milestone = promise(world["toyota"], "Commercial SSB", "2025", stated=date(2022, 1, 10))
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.REVISION,
        stated_on=date(2023, 6, 13),
        target_text="2027",
    )
    page = text(client.get(milestone.get_absolute_url(), {"as_of": AS_OF}))
    assert "first promised for 2025, now 2027" in page.lower()
    assert "<svg" in page and "Target revisions as a table" in page
    assert "no achievement reported" in page


# Every page -------------------------------------------------------------------------------


def public_urls(world):
    eve = world["eve"]
    milestone = eve.milestones.first()
    return [
        "/",
        reverse("claims:company_list"),
        eve.get_absolute_url(),
        MILESTONES,
        milestone.get_absolute_url(),
        reverse("claims:source_list"),
        milestone.claims.first().source.get_absolute_url(),
        reverse("claims:country_list"),
        reverse("claims:country_detail", args=["CN"]),
        reverse("claims:timeline"),
        reverse("claims:methodology"),
    ]


HOSTILE = [
    {"as_of": "<script>alert(1)</script>"},
    {"country": '"><img src=x onerror=alert(1)>'},
    {"page": "-1"},
    {"year": "2027'; DROP TABLE claims_claim;--"},
    {"q": "é" * 5000},
    {"sort": "<b>"},
    {"format": "xml"},
    {"as_of": "0001-01-01"},
    {"as_of": "9999-12-31"},
]


@pytest.mark.parametrize("params", HOSTILE)
def test_hostile_parameters_never_error_nor_reflect(client, world, params):
    for url in public_urls(world):
        response = client.get(url, params)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>" not in body


def test_every_page_says_when_its_facts_last_changed_and_links_to_corrections(client, world):
    for url in public_urls(world):
        page = text(client.get(url))
        assert "Report an error on this page" in page, url
        if url != reverse("claims:methodology"):
            assert "last changed" in page, url


def test_as_of_links_carry_the_date_to_other_pages(client, world):
    page = text(client.get(world["eve"].get_absolute_url(), {"as_of": "2025-09-05"}))
    assert "?as_of=2025-09-05" in page
    assert "Back to today" in page
