"""The JSON API: filters like the pages, 400s in words, and responses that match the schema."""

from datetime import date

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from claims.models import Claim
from tests.factories import ClaimFactory, CompanyFactory, FacilityFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-01"


@pytest.fixture
def openapi(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def conforms(openapi: dict, path: str, response) -> None:
    """Validate a real response against the schema the OpenAPI document gives for it."""
    operation = openapi["paths"][path]["get"]
    content = operation["responses"][str(response.status_code)]["content"]
    schema = content["application/json"]["schema"]
    registry = Registry().with_resource("urn:openapi", Resource.opaque(openapi))
    if "$ref" in schema:
        schema = {"$ref": "urn:openapi" + schema["$ref"]}
    Draft202012Validator(schema, registry=registry).validate(response.json())


@pytest.fixture
def world():
    eve = CompanyFactory(name="EVE Energy", slug="eve-energy", country="CN")
    toyota = CompanyFactory(name="Toyota", slug="toyota", country="JP")
    base = FacilityFactory(company=eve, slug="chengdu-base", name="Chengdu base")
    phase1 = MilestoneFactory(
        company=eve, facility=base, title="Phase 1", slug="phase-1", kind="capacity_phase"
    )
    ClaimFactory(milestone=phase1, stated_on=date(2025, 9, 2), target_text="December 2025")
    phase2 = MilestoneFactory(company=eve, title="Phase 2", slug="phase-2")
    ClaimFactory(milestone=phase2, stated_on=date(2025, 9, 2), target_text="Dec 2026")
    ssb = MilestoneFactory(company=toyota, title="Commercial SSB", slug="toyota-ssb")
    ClaimFactory(milestone=ssb, stated_on=date(2022, 1, 10), target_text="2025")
    ClaimFactory(
        milestone=ssb, stated_on=date(2023, 6, 13), target_text="2027", kind=Claim.Kind.REVISION
    )
    return {"phase1": phase1, "ssb": ssb}


def test_overdue_chinese_milestones(client, world, openapi):
    response = client.get("/api/milestones", {"country": "CN", "status": "overdue", "as_of": AS_OF})
    assert response.status_code == 200
    conforms(openapi, "/api/milestones", response)
    body = response.json()
    assert body["count"] == 1
    phase1 = body["results"][0]
    assert phase1["slug"] == "phase-1"
    assert phase1["status"] == "overdue"
    assert phase1["current_target"] == {
        "stated": "December 2025",
        "label": "Dec 2025",
        "earliest": "2025-12-01",
        "latest": "2025-12-31",
        "precision": "month",
    }
    assert phase1["facility"] == "chengdu-base"
    assert phase1["slip_months"] == 5


def test_milestone_carries_first_and_current_target_and_slip(client, world, openapi):
    response = client.get(f"/api/milestones/{world['ssb'].pk}", {"as_of": "2024-01-01"})
    conforms(openapi, "/api/milestones/{milestone_id}", response)
    body = response.json()
    assert (body["status"], body["first_target"]["label"], body["current_target"]["label"]) == (
        "delayed",
        "2025",
        "2027",
    )
    assert body["slip_months"] == 24
    assert body["as_of"] == "2024-01-01"


def test_as_of_hides_later_claims(client, world):
    body = client.get("/api/milestones", {"as_of": "2023-01-01"}).json()
    assert [m["slug"] for m in body["results"]] == ["toyota-ssb"]
    assert body["results"][0]["current_target"]["label"] == "2025"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/milestones", {"status": "late"}, "status"),
        ("/api/milestones", {"country": "ZZ"}, "country"),
        ("/api/milestones", {"year": "soon"}, "year"),
        ("/api/milestones", {"as_of": "2025-13-01"}, "as_of"),
        ("/api/companies", {"role": "wizard"}, "role"),
        ("/api/companies", {"page": "0"}, "page"),
        ("/api/companies", {"page_size": "10000"}, "page_size"),
        ("/api/sources", {"kind": "rumour"}, "kind"),
        ("/api/claims", {"kind": "rumour"}, "kind"),
        ("/api/claims", {"milestone": "abc"}, "milestone"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, world, openapi, path, params, field):
    response = client.get(path, params)
    assert response.status_code == 400
    conforms(openapi, path, response)
    assert field in response.json()["errors"]


def test_unknown_ids_are_404(client, world, openapi):
    for path, template in (
        ("/api/milestones/999999", "/api/milestones/{milestone_id}"),
        ("/api/companies/no-such", "/api/companies/{slug}"),
        ("/api/sources/999999", "/api/sources/{source_id}"),
        ("/api/claims/999999", "/api/claims/{claim_id}"),
        ("/api/facilities/no-such", "/api/facilities/{slug}"),
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        conforms(openapi, template, response)


def test_pagination_counts_and_links(client, world, openapi):
    first = client.get("/api/milestones", {"page_size": "2", "country": "CN"})
    conforms(openapi, "/api/milestones", first)
    body = first.json()
    assert (body["count"], body["pages"], len(body["results"])) == (2, 1, 2)
    page = client.get("/api/milestones", {"page_size": "1"}).json()
    assert page["pages"] == 3 and page["previous"] is None
    assert "page=2" in page["next"] and "page_size=1" in page["next"]
    second = client.get(page["next"]).json()
    assert second["results"][0]["id"] != page["results"][0]["id"]


def test_every_list_endpoint_conforms_to_the_schema(client, world, openapi):
    for path in (
        "/api/companies",
        "/api/facilities",
        "/api/milestones",
        "/api/claims",
        "/api/sources",
        "/api/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        conforms(openapi, path, response)
    company = client.get("/api/companies/eve-energy")
    conforms(openapi, "/api/companies/{slug}", company)
    assert company.json()["country"] == "CN"


def test_claim_filters(client, world):
    body = client.get("/api/claims", {"company": "toyota", "kind": "revision"}).json()
    assert [c["target"]["label"] for c in body["results"]] == ["2027"]
    by_milestone = client.get("/api/claims", {"milestone": world["phase1"].pk}).json()
    assert by_milestone["count"] == 1


def test_company_filters_match_the_pages(client, world):
    body = client.get("/api/companies", {"country": ["cn", "JP"], "q": "toy"}).json()
    assert [c["slug"] for c in body["results"]] == ["toyota"]


def test_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


@pytest.mark.django_db
def test_blank_text_filters_are_ignored_not_a_server_error(client):
    for url in ("/api/claims?company=", "/api/sources?publisher=", "/api/milestones?q="):
        assert client.get(url).status_code == 200, url


def test_cell_figures_of_milestones_and_facilities(client, openapi):
    base = FacilityFactory(slug="cell-plant", cell_ah="60", cell_nominal_voltage="3.7")
    cell = MilestoneFactory(company=base.company, facility=base, slug="cell", cycle_life=1200)
    ClaimFactory(milestone=cell, stated_on=date(2025, 9, 2), target_text="2027")
    response = client.get(f"/api/milestones/{cell.pk}", {"as_of": AS_OF})
    conforms(openapi, "/api/milestones/{milestone_id}", response)
    assert response.json()["cycle_life"] == 1200
    response = client.get("/api/facilities/cell-plant")
    conforms(openapi, "/api/facilities/{slug}", response)
    assert (response.json()["cell_ah"], response.json()["cell_nominal_voltage"]) == (60.0, 3.7)
