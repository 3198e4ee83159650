"""The first public pages: company list and company page, and their neighbours."""

from datetime import date

import pytest
from django.urls import reverse

from claims.models import Claim
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    CompanyRelationFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
COMPANIES = reverse("claims:company_list")


@pytest.fixture
def three_countries():
    return (
        CompanyFactory(name="EVE Energy", country="CN", native_name="亿纬锂能"),
        CompanyFactory(name="Toyota", country="JP"),
        CompanyFactory(name="QuantumScape", country="US"),
    )


def test_company_list_shows_every_company_with_country_counts(client, three_countries):
    page = client.get(COMPANIES)
    assert page.status_code == 200
    for name in ("EVE Energy", "Toyota", "QuantumScape", "亿纬锂能"):
        assert name in page.content.decode()
    assert 'China <span class="count">1</span>' in page.content.decode()


def test_country_filter_hides_other_countries(client, three_countries):
    page = client.get(COMPANIES, {"country": "CN"}).content.decode()
    assert "EVE Energy" in page
    assert "Toyota" not in page and "QuantumScape" not in page


def test_several_countries_at_once(client, three_countries):
    page = client.get(COMPANIES + "?country=CN&country=jp").content.decode()
    assert "EVE Energy" in page and "Toyota" in page
    assert "QuantumScape" not in page


def test_unknown_country_gives_a_message_and_an_empty_list(client, three_countries):
    page = client.get(COMPANIES, {"country": "<script>alert(1)</script>"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "is not a country code we know" in text
    assert "No companies match" in text
    assert "<script>alert(1)</script>" not in text


def test_search_finds_native_names_and_aliases(client):
    CompanyFactory(name="WeLion New Energy", aliases="Weilan New Energy")
    CompanyFactory(name="Toyota")
    page = client.get(COMPANIES, {"q": "weilan"}).content.decode()
    assert "WeLion New Energy" in page and "Toyota" not in page


def test_overlong_search_is_refused_with_a_message(client, three_countries):
    page = client.get(COMPANIES, {"q": "x" * 5000})
    assert page.status_code == 200
    assert "at most 100 characters" in page.content.decode()


def test_htmx_request_renders_only_results(client, three_countries):
    page = client.get(COMPANIES, {"country": "JP"}, headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "<html" not in text
    assert 'id="results"' in text
    assert "Toyota" in text and "EVE Energy" not in text


def test_company_page_shows_milestones_claims_and_sources(client):
    eve = CompanyFactory(name="EVE Energy", slug="eve-energy")
    lead = CompanyFactory(name="Lead Intelligent")
    CompanyRelationFactory(from_company=lead, to_company=eve)
    FacilityFactory(company=eve, name="Chengdu base")
    source = SourceFactory(title="EVE WeChat post", publisher="EVE Energy")
    phase = MilestoneFactory(company=eve, title="Phase 2: 100 MWh a year")
    ClaimFactory(
        milestone=phase,
        source=source,
        stated_on=date(2025, 9, 2),
        target_text="December 2026",
        quote="deliver an annual production capacity",
    )
    page = client.get(eve.get_absolute_url(), {"as_of": "2025-09-05"})
    text = page.content.decode()
    assert page.status_code == 200
    for fact in (
        "Phase 2: 100 MWh a year",
        "Dec 2026",
        "On track",
        "EVE WeChat post",
        "deliver an annual production capacity",
        "Chengdu base",
        "Lead Intelligent",
    ):
        assert fact in text, fact


def test_as_of_hides_later_claims_and_says_so(client):
    milestone = MilestoneFactory(title="Commercial SSB")
    ClaimFactory(milestone=milestone, stated_on=date(2022, 1, 10), target_text="2025")
    ClaimFactory(
        milestone=milestone,
        stated_on=date(2023, 6, 13),
        target_text="2027",
        kind=Claim.Kind.REVISION,
    )
    url = milestone.company.get_absolute_url()
    then = client.get(url, {"as_of": "2022-06-01"}).content.decode()
    assert "as it stood on" in then
    assert "2027" not in then.split("<main")[1].split("</main>")[0]
    now = client.get(url).content.decode()
    assert "as it stood on" not in now
    assert "Delayed" in now or "Overdue" in now


def test_malformed_as_of_gives_a_message_not_an_error(client):
    company = CompanyFactory()
    page = client.get(company.get_absolute_url(), {"as_of": "2025-13-45"})
    assert page.status_code == 200
    assert "YYYY-MM-DD" in page.content.decode()


def test_unknown_company_is_404(client):
    assert client.get(reverse("claims:company_detail", args=["no-such"])).status_code == 404


def test_milestone_page_explains_status_in_words(client):
    claim = ClaimFactory(stated_on=date(2024, 1, 10), target_text="Dec 2025")
    page = client.get(claim.milestone.get_absolute_url(), {"as_of": "2026-11-26"})
    assert "overdue by 10 months" in page.content.decode()


def test_facility_and_source_pages_render(client):
    facility = FacilityFactory(name="Southwest base", city="Chengdu")
    claim = ClaimFactory(milestone=MilestoneFactory(company=facility.company, facility=facility))
    assert "Southwest base" in client.get(facility.get_absolute_url()).content.decode()
    source_page = client.get(claim.source.get_absolute_url()).content.decode()
    assert claim.milestone.title in source_page
    assert client.get(reverse("claims:source_list")).status_code == 200


def test_company_page_query_count_does_not_grow_with_milestones(
    client, django_assert_max_num_queries
):
    company = CompanyFactory()
    for _ in range(8):
        ClaimFactory(milestone=MilestoneFactory(company=company), target_text="2027")
    with django_assert_max_num_queries(12):
        assert client.get(company.get_absolute_url()).status_code == 200


def test_healthz_touches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_every_page_has_a_report_an_error_link(client, three_countries):
    assert "Report an error" in client.get(COMPANIES).content.decode()


def test_company_page_lists_claims_and_sources_a_page_at_a_time(client):
    milestone = MilestoneFactory()
    for n in range(25):
        ClaimFactory(
            milestone=milestone,
            stated_on=date(2024, 1, 1 + n),
            source=SourceFactory(title=f"Report {n:02}", published_on=date(2024, 1, 1 + n)),
            kind=Claim.Kind.REAFFIRMATION,
            target_text="2027",
        )
    url = milestone.company.get_absolute_url()
    html = client.get(url).content.decode()
    claims = html[html.index('id="claims-h"') : html.index('id="sources-h"')]
    sources = html[html.index('id="sources-h"') :]
    sources = sources[: sources.index("</section>")]
    # Newest first: 20 on the first page, each section paged on its own parameter.
    assert claims.count('class="claim ') == 20
    assert 'datetime="2024-01-25"' in claims and 'datetime="2024-01-05"' not in claims
    assert "1–20 of 25" in claims and 'href="?claims_page=2#claims-h"' in claims
    assert sources.count("Report ") == 20 and "Report 24" in sources and "Report 04" not in sources
    assert 'href="?sources_page=2#sources-h"' in sources

    html = client.get(url + "?claims_page=2&as_of=2024-12-31").content.decode()
    claims = html[html.index('id="claims-h"') : html.index('id="sources-h"')]
    assert claims.count('class="claim ') == 5 and 'datetime="2024-01-01"' in claims
    assert "21–25 of 25" in claims
    assert 'href="?claims_page=1&amp;as_of=2024-12-31#claims-h"' in claims

    for bad in ("abc", "999", "-1", "2.5"):  # the nearest page, never an error
        assert client.get(url, {"claims_page": bad, "sources_page": bad}).status_code == 200
