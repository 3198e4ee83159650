"""The facility index /facilities/ and its API: filters, facets, sorting, CSV, as-of."""

from datetime import date
from decimal import Decimal

import pytest

from claims.capacity import facility_gwh, to_gwh
from claims.models import Facility
from claims.read.facilities import Facilities, FacilityFilters
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db
URL = "/facilities/"


@pytest.fixture
def plants():
    eve = CompanyFactory(slug="eve-energy", name="EVE Energy", country="CN")
    toyota = CompanyFactory(slug="toyota", name="Toyota", country="JP")
    sulfide = TechnologyFactory(slug="sulfide", name="Sulfide")
    oxide = TechnologyFactory(slug="oxide", name="Oxide")
    return {
        "big": FacilityFactory(
            company=eve,
            name="Big Chengdu base",
            slug="big",
            city="Chengdu",
            province="Sichuan",
            status=Facility.Status.CONSTRUCTION,
            technology=sulfide,
            capacity_value=Decimal("20"),
            capacity_unit="gwh_per_year",
        ),
        "small": FacilityFactory(
            company=eve,
            name="Small pilot line",
            slug="small",
            city="Huizhou",
            status=Facility.Status.OPERATING,
            technology=sulfide,
            capacity_value=Decimal("500"),
            capacity_unit="mwh_per_year",
        ),
        "cells": FacilityFactory(
            company=toyota,
            name="Aichi cell plant",
            slug="cells",
            country="JP",
            province="Aichi",
            status=Facility.Status.ANNOUNCED,
            technology=oxide,
            capacity_value=Decimal("500000"),
            capacity_unit="cells_per_year",
        ),
    }


@pytest.mark.parametrize(
    "value, unit, ah, volts, gwh",
    [
        ("15", "gwh_per_year", None, None, "15"),
        ("100", "mwh_per_year", None, None, "0.1"),
        ("500000", "cells_per_year", "60", "3.7", "0.111"),
        ("10000", "cells_per_week", "50", "4", "0.104"),
        ("500000", "cells_per_year", "60", None, None),
        ("500000", "cells_per_year", None, "3.7", None),
        ("300", "tonnes_per_year", "60", "3.7", None),
    ],
)
def test_the_index_converts_capacity_in_sql_as_the_pipeline_does_in_python(
    value, unit, ah, volts, gwh
):
    n = lambda text: None if text is None else Decimal(text)  # noqa: E731
    facility = FacilityFactory(
        capacity_value=n(value), capacity_unit=unit, cell_ah=n(ah), cell_nominal_voltage=n(volts)
    )
    in_sql = Facilities(date.today()).known().get(pk=facility.pk).capacity_gwh
    in_python, _ = to_gwh(n(value), unit, cell_ah=n(ah), voltage=n(volts))
    assert in_sql == in_python == n(gwh)
    assert facility_gwh(facility) == n(gwh)


def test_index_lists_facilities_with_capacity_in_gwh_and_not_convertible(client, plants):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    for name in ("Big Chengdu base", "Small pilot line", "Aichi cell plant"):
        assert name in response.text
    assert "500,000 cells/yr" in response.text
    assert "not convertible" in response.text
    assert ">0.5</td>" in response.text


def test_country_filter_takes_several_countries(client, plants):
    only_jp = client.get(URL, {"country": "jp"})
    assert "Aichi cell plant" in only_jp.text and "Big Chengdu base" not in only_jp.text
    both = client.get(URL + "?country=CN&country=JP")
    assert both.context["page"].paginator.count == 3


def test_company_status_technology_and_kind_filters_narrow(client, plants):
    assert client.get(URL, {"company": "Toyota"}).context["page"].paginator.count == 1
    found = client.get(URL, {"status": "operating"})
    assert [f.slug for f in found.context["page"].object_list] == ["small"]
    assert client.get(URL, {"technology": "oxide"}).context["page"].paginator.count == 1
    assert client.get(URL, {"kind": "rd_centre"}).context["page"].paginator.count == 0


def test_capacity_range_is_in_gwh_and_leaves_out_what_cannot_be_converted(client, plants):
    found = client.get(URL, {"capacity_min": "0.4", "capacity_max": "1"})
    assert [f.slug for f in found.context["page"].object_list] == ["small"]
    found = client.get(URL, {"capacity_min": "0"})
    assert {f.slug for f in found.context["page"].object_list} == {"big", "small"}


def test_search_matches_name_company_city_and_province(client, plants):
    def slugs(q):
        return {f.slug for f in client.get(URL, {"q": q}).context["page"].object_list}

    assert slugs("pilot") == {"small"}
    assert slugs("toyota") == {"cells"}
    assert slugs("huizhou") == {"small"}
    assert slugs("sichuan") == {"big"}


def test_facets_count_each_value_under_the_other_filters(client, plants):
    facets = client.get(URL, {"country": "CN"}).context["facets"]
    countries = {f["value"]: f["n"] for f in facets["country"]}
    assert countries == {"CN": 2, "JP": 1}
    assert {f["value"]: f["n"] for f in facets["status"]} == {"construction": 1, "operating": 1}
    assert "EVE Energy" in [f["label"] for f in facets["company"]]


def test_sorting_by_capacity_puts_largest_first_and_unconvertible_last(client, plants):
    found = client.get(URL, {"sort": "capacity"}).context["page"].object_list
    assert [f.slug for f in found] == ["big", "small", "cells"]
    by_country = client.get(URL, {"sort": "country"}).context["page"].object_list
    assert [f.country.code for f in by_country] == ["CN", "CN", "JP"]


def test_csv_lists_every_facility_found_with_gwh(client, plants):
    response = client.get(URL, {"format": "csv", "country": "CN", "sort": "name"})
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().splitlines()
    assert lines[0].startswith("slug,name,company")
    assert len(lines) == 3
    assert "0.5" in lines[2] and "small" in lines[2]


def test_htmx_request_renders_only_results(client, plants):
    response = client.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"country": "XX"},
        {"status": "built"},
        {"capacity_min": "lots"},
        {"capacity_min": "5", "capacity_max": "1"},
        {"capacity_min": "-1"},
        {"kind": "castle"},
        {"as_of": "yesterday"},
        {"page": "999"},
    ],
)
def test_bad_input_gives_a_message_not_an_error(client, plants, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context["messages_list"]


def test_as_of_shows_a_facility_once_its_source_or_a_claim_at_it_is_known(client, plants):
    FacilityFactory(
        name="Dated by its source",
        slug="dated",
        source=SourceFactory(published_on=date(2025, 6, 1)),
    )
    claimed = FacilityFactory(name="Dated by a claim", slug="claimed")
    milestone = MilestoneFactory(company=claimed.company, facility=claimed)
    ClaimFactory(milestone=milestone, stated_on=date(2024, 3, 1), target_text="2026")

    def slugs(day):
        return {f.slug for f in Facilities(day, FacilityFilters()).facilities()}

    assert {"dated", "claimed"}.isdisjoint(slugs(date(2024, 1, 1)))
    assert "claimed" in slugs(date(2024, 3, 2)) and "dated" not in slugs(date(2024, 3, 2))
    assert {"dated", "claimed"} <= slugs(date(2025, 6, 2))
    # Undated facilities are shown on any day.
    assert {"big", "small", "cells"} <= slugs(date(2000, 1, 1))
    response = client.get(URL, {"as_of": "2024-01-01"})
    assert "Dated by its source" not in response.text
    assert "Big Chengdu base" in response.text


def test_api_filters_facilities_as_the_index_does(client, plants):
    data = client.get("/api/facilities", {"country": "CN", "sort": "capacity"}).json()
    assert data["count"] == 2
    first = data["results"][0]
    assert first["slug"] == "big"
    assert first["capacity_gwh_per_year"] == 20.0
    assert first["company"]["slug"] == "eve-energy"
    data = client.get("/api/facilities", {"capacity_max": "1"}).json()
    assert [r["slug"] for r in data["results"]] == ["small"]
    assert client.get("/api/facilities", {"status": "built"}).status_code == 400


def test_demo_bases_of_eve_and_qingtao_show_with_their_capacities(client):
    from claims.services import load_demo_data

    load_demo_data()
    response = client.get(URL, {"q": "Chengdu", "sort": "capacity"})
    assert "Qingtao Southwest Industrial Base" in response.text
    assert "15 GWh/yr" in response.text
    assert "Chengdu mass-production base, EVE" in response.text
    assert "500,000 cells/yr" in response.text
    first = response.context["page"].object_list[0]
    assert first.slug == "qingtao-southwest-ssb-base"


def test_company_facet_lists_the_thirty_with_most_facilities_and_the_chosen_one(client):
    companies = [CompanyFactory(slug=f"maker-{i:02}", name=f"Maker {i:02}") for i in range(33)]
    for i, company in enumerate(companies):
        for _ in range(1 + (i < 30)):  # the first thirty have two facilities each
            FacilityFactory(company=company)
    facets = client.get(URL).context["facets"]["company"]
    assert [f["value"] for f in facets] == [f"maker-{i:02}" for i in range(30)]
    chosen = client.get(URL, {"company": "maker-32"}).context["facets"]["company"]
    assert chosen[0]["value"] == "maker-32" and chosen[0]["selected"]
    assert len(chosen) == 30


def test_a_page_of_the_index_is_read_in_name_order_from_the_index(
    client, django_assert_num_queries
):
    for name in ["beta", "Alpha", "gamma"]:
        FacilityFactory(name=name, country="CN")
    client.get(URL, {"country": "CN"})  # the facet counts, cached
    with django_assert_num_queries(1):
        rows = client.get(URL, {"country": "CN", "_": "uncached page"}).context["page"]
    assert [f.name for f in rows.object_list] == ["Alpha", "beta", "gamma"]
