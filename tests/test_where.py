"""Where a milestone happens: its facility's country, else its company's; partners named on
a milestone see it on their pages."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from claims.models import CompanyRelation, Milestone
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    CompanyRelationFactory,
    FacilityFactory,
    MilestoneFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = "?as_of=2026-01-01"


def test_a_milestone_at_a_korean_site_of_a_us_company_is_under_kr():
    company = CompanyFactory(country="US")
    site = FacilityFactory(company=company, country="KR")
    at_site = MilestoneFactory(company=company, facility=site, title="Daejeon line")
    at_home = MilestoneFactory(company=company, title="San Jose line")
    assert (at_site.country, at_home.country) == ("KR", "US")
    assert list(Milestone.objects.in_countries(["KR"])) == [at_site]


def test_the_milestone_list_filters_and_counts_by_the_sites_country(client):
    company = CompanyFactory(country="US", name="Maker")
    site = FacilityFactory(company=company, country="KR")
    ClaimFactory(milestone=MilestoneFactory(company=company, facility=site, title="Daejeon line"))
    ClaimFactory(milestone=MilestoneFactory(company=company, title="San Jose line"))
    page = client.get(reverse("claims:milestone_list") + AS_OF + "&country=KR")
    assert b"Daejeon line" in page.content
    assert b"San Jose line" not in page.content
    country = client.get(reverse("claims:country_detail", args=["KR"]) + AS_OF)
    assert b"Daejeon line" in country.content
    response = client.get(reverse("claims:milestone_list") + AS_OF + "&format=csv")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    rows = {row["title"]: row["country"] for row in rows}
    assert rows == {"Daejeon line": "KR", "San Jose line": "US"}
    api = client.get("/api/milestones" + AS_OF + "&country=KR").json()
    assert [m["title"] for m in api["results"]] == ["Daejeon line"]
    assert api["results"][0]["country"] == "KR"


def test_moving_a_facility_moves_its_milestones_and_a_company_its_others():
    company = CompanyFactory(country="JP")
    site = FacilityFactory(company=company, country="JP")
    at_site = MilestoneFactory(company=company, facility=site)
    elsewhere = MilestoneFactory(company=company)
    site.country = "DE"
    site.save()
    company.country = "US"
    company.save()
    at_site.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (at_site.country, elsewhere.country) == ("DE", "US")
    site.delete()
    at_site.refresh_from_db()
    assert (at_site.facility, at_site.country) == (None, "US")


def test_a_milestone_shows_on_its_partners_page_but_not_in_its_record(client):
    builder = CompanyFactory(name="Lead Intelligent", slug="lead")
    owner = CompanyFactory(name="EVE Energy", slug="eve")
    line = MilestoneFactory(company=owner, title="Line commissioned")
    line.partners.add(builder)
    ClaimFactory(milestone=line, stated_on=date(2025, 1, 1), target_text="2025")
    page = client.get(reverse("claims:company_detail", args=["lead"]) + AS_OF)
    assert b"Line commissioned" in page.content
    assert page.context["record"].total == 0
    assert (
        client.get(reverse("claims:company_detail", args=["eve"]) + AS_OF).context["record"].overdue
        == 1
    )


def test_relations_include_parent_and_subsidiary(client):
    parent = CompanyFactory(name="Group", slug="group")
    relation = CompanyRelationFactory(
        from_company=parent, kind=CompanyRelation.Kind.PARENT, to_company=CompanyFactory()
    )
    relation.full_clean()
    assert str(relation).startswith("Group is parent of")
    assert b"parent" in client.get(reverse("claims:company_detail", args=["group"])).content
