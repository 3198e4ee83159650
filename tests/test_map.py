"""The world map /map/: country outlines decoded from TopoJSON, marks, filters, as-of."""

from datetime import date
from decimal import Decimal

import pytest

from claims import geo
from claims.models import Facility
from claims.read.facilities import SMALL_MARK, mark_radius
from tests.factories import FacilityFactory, SourceFactory

URL = "/map/"


def test_topology_arcs_are_delta_decoded_and_reversed_by_negative_index():
    topology = {
        "transform": {"scale": [1, 1], "translate": [10, 20]},
        "arcs": [[[0, 0], [1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1]]],
    }
    arcs = geo.decode_arcs(topology)
    assert arcs[0] == [(10, 20), (11, 20), (11, 21)]
    assert geo.ring([0, 1], arcs) == [(10, 20), (11, 20), (11, 21), (10, 21), (10, 20)]
    assert geo.ring([~1], arcs)[0] == (10, 20)


def test_projection_puts_chengdu_east_of_paris_and_north_of_sydney():
    chengdu, paris, sydney = (
        geo.project(104.07, 30.67),
        geo.project(2.35, 48.86),
        geo.project(151.21, -33.87),
    )
    assert chengdu[0] > paris[0]
    assert chengdu[1] < sydney[1]  # y grows southwards
    assert paris[1] < chengdu[1]
    assert 0 <= sydney[0] <= geo.WIDTH and 0 <= sydney[1] <= geo.HEIGHT


def test_world_has_the_countries_but_antarctica_in_rounded_path_data():
    world = geo.world()
    names = {c.name for c in world}
    assert {"China", "France", "Australia", "Japan"} <= names
    assert "Antarctica" not in names
    china = next(c for c in world if c.name == "China")
    assert china.d.startswith("M") and china.d.endswith("Z")
    numbers = china.d.replace("M", " ").replace("Z", " ").split()
    assert all(len(n.partition(".")[2]) <= 1 for n in numbers)
    assert sum(len(c.d) for c in world) < 120_000


def test_mark_grows_with_gwh_and_is_small_when_not_convertible():
    assert mark_radius(None) == SMALL_MARK
    assert SMALL_MARK < mark_radius(Decimal("1")) < mark_radius(Decimal("15"))


@pytest.fixture
def plants(db):
    return [
        FacilityFactory(
            name="Chengdu base",
            slug="chengdu",
            latitude=Decimal("30.81"),
            longitude=Decimal("103.89"),
            location_accuracy="approximate",
            status=Facility.Status.CONSTRUCTION,
            capacity_value=Decimal("15"),
            capacity_unit="gwh_per_year",
        ),
        FacilityFactory(
            name="Aichi plant",
            slug="aichi",
            country="JP",
            latitude=Decimal("35.1"),
            longitude=Decimal("137.1"),
            location_accuracy="approximate",
            status=Facility.Status.OPERATING,
            source=SourceFactory(published_on=date(2025, 1, 10)),
        ),
        FacilityFactory(name="Nowhere plant", slug="nowhere"),
    ]


@pytest.mark.django_db
def test_map_draws_each_facility_with_coordinates_as_a_linked_titled_mark(client, plants):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.text
    assert text.count('<path class="map-mark map-') == 2 + len(Facility.Status)  # + legend
    assert 'href="/facilities/chengdu/"' in text
    assert "<title>Chengdu base" in text and "15 GWh/yr" in text
    assert "Nowhere plant" not in text
    assert "map-construction" in text and "Under construction" in text
    # the table alternative
    assert "30.81, 103.89" in text


@pytest.mark.django_db
def test_map_filters_as_the_index_does(client, plants):
    text = client.get(URL, {"country": "JP"}).text
    assert "Aichi plant" in text and "Chengdu base" not in text
    text = client.get(URL, {"capacity_min": "10"}).text
    assert "Chengdu base" in text and "Aichi plant" not in text


@pytest.mark.django_db
def test_map_as_of_leaves_out_facilities_not_yet_known(client, plants):
    text = client.get(URL, {"as_of": "2024-12-31"}).text
    assert "Chengdu base" in text and "Aichi plant" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"status": "x"}, {"capacity_max": "a"}, {"as_of": "2024-13"}])
def test_map_bad_input_gives_a_message_not_an_error(client, plants, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context["messages_list"]


@pytest.mark.django_db
def test_htmx_map_request_renders_only_results(client, plants):
    response = client.get(URL, headers={"HX-Request": "true"})
    assert "<html" not in response.text and "<svg" in response.text


@pytest.mark.django_db
def test_demo_bases_of_eve_and_qingtao_are_on_the_map_with_their_capacities(client):
    from claims.services import load_demo_data

    load_demo_data()
    text = client.get(URL, {"country": "CN"}).text
    assert 'href="/facilities/qingtao-southwest-ssb-base/"' in text
    assert 'href="/facilities/eve-chengdu-ssb-base/"' in text
    assert "15 GWh/yr" in text and "500,000 cells/yr" in text


@pytest.mark.django_db
def test_company_and_country_pages_show_their_facilities_on_a_small_map(client, plants):
    company_page = client.get(plants[0].company.get_absolute_url()).text
    assert '<svg class="map-svg"' in company_page
    assert 'href="/facilities/chengdu/"><path class="map-mark' in company_page
    country_page = client.get("/countries/JP/").text
    assert 'href="/facilities/aichi/"><path class="map-mark' in country_page
    assert 'href="/facilities/chengdu/"><path' not in country_page


@pytest.mark.django_db
def test_map_table_pages_through_the_facilities_by_name_and_the_map_shows_all(client):
    for i in range(105):
        FacilityFactory(
            name=f"Plant {i:03}",
            latitude=Decimal("30"),
            longitude=Decimal(i % 90),
            location_accuracy="approximate",
        )
    first = client.get(URL)
    assert first.text.count('<path class="map-mark map-') == 105 + len(Facility.Status)
    names = [f.name for f in first.context["page"].object_list]
    assert names == [f"Plant {i:03}" for i in range(100)]
    second = client.get(URL, {"page": 2})
    assert [f.name for f in second.context["page"].object_list] == [
        f"Plant {i:03}" for i in range(100, 105)
    ]
    assert "105 facilities with coordinates" in second.text
