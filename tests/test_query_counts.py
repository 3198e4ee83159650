"""Every page runs the same, small number of queries whatever the size of the data."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, CompanyRelation
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12


def build(scale: int) -> None:
    """`scale` companies per country in two countries, each with a facility, milestones
    with several claims (revisions, achievements, cancellations) and shared sources."""
    tech = TechnologyFactory()
    sources = [SourceFactory() for _ in range(3)]
    previous = None
    for n in range(scale * 2):
        company = CompanyFactory(country="CN" if n % 2 else "JP", slug=f"co-{scale}-{n}")
        company.technologies.add(tech)
        facility = FacilityFactory(company=company, slug=f"f-{scale}-{n}")
        if previous:
            CompanyRelation.objects.create(
                from_company=previous, to_company=company, kind="supplier", source=sources[0]
            )
        previous = company
        for m in range(2):
            milestone = MilestoneFactory(
                company=company, facility=facility, slug=f"m-{scale}-{n}-{m}"
            )
            ClaimFactory(
                milestone=milestone,
                source=sources[0],
                stated_on=date(2023, 1, 1),
                target_text="2025",
            )
            ClaimFactory(
                milestone=milestone,
                source=sources[1],
                stated_on=date(2024, 1, 1),
                target_text="2027",
                kind=Claim.Kind.REVISION,
            )
            if m:
                ClaimFactory(
                    milestone=milestone,
                    source=sources[2],
                    stated_on=date(2025, 1, 1),
                    kind=Claim.Kind.ACHIEVEMENT,
                    achieved_on=date(2024, 12, 1),
                    evidence=2,
                )


def pages() -> list[str]:
    from claims.models import Company, Milestone, Source

    company = Company.objects.order_by("pk").first()
    three = Company.objects.order_by("pk").values_list("slug", flat=True)[:3]
    return [
        "/",
        reverse("claims:company_list"),
        reverse("claims:company_list") + "?country=CN&sort=record",
        company.get_absolute_url(),
        company.facilities.first().get_absolute_url(),
        reverse("claims:milestone_list"),
        reverse("claims:milestone_list") + "?status=overdue&country=CN",
        Milestone.objects.order_by("pk").first().get_absolute_url(),
        reverse("claims:source_list"),
        Source.objects.order_by("pk").first().get_absolute_url(),
        reverse("claims:country_list"),
        reverse("claims:country_detail", args=["CN"]),
        reverse("claims:timeline"),
        reverse("claims:pipeline") + "?group=country&country=CN",
        reverse("claims:scorecards"),
        reverse("claims:scorecards") + "?by=country&sort=slip",
        reverse("claims:compare") + "?" + "&".join(f"company={slug}" for slug in three),
        reverse("claims:metrics"),
        reverse("claims:methodology"),
        reverse("claims:facility_list"),
        reverse("claims:facility_list") + "?country=CN&sort=capacity&capacity_min=1",
        reverse("claims:facility_map"),
        reverse("claims:facility_map") + "?status=announced&q=plant",
    ]


def count_queries(client, scale: int) -> dict[str, int]:
    build(scale)
    counts = {}
    for url in pages():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[f"page {len(counts)}: {url.split('/')[1] or 'home'}"] = len(ctx.captured_queries)
    return counts


def test_query_counts_do_not_grow_with_the_data(client, django_db_blocker):
    small = count_queries(client, 2)
    from claims.models import Company

    Company.objects.all().delete()
    large = count_queries(client, 20)
    assert small == large
    assert max(large.values()) <= MAX_QUERIES, large
