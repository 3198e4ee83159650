"""The synthetic data set: valid rows, the same rows for the same seed, every status."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import synthetic
from claims.models import Claim, Company, CompanyRelation, Facility, Milestone, Source
from claims.read import AsOf
from claims.status import Status, derive_status
from tests.factories import ClaimFactory, CompanyFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 10, 1)


def generate(seed: int = 7) -> str:
    out = StringIO()
    call_command(
        "generate_synthetic", companies=20, milestones=200, seed=seed, until=AS_OF, stdout=out
    )
    return out.getvalue()


def fingerprint() -> list[tuple]:
    """Everything but primary keys and timestamps, in a stable order."""
    return [
        (
            m.slug,
            m.company.slug,
            m.company.country.code,
            m.facility.slug if m.facility else "",
            m.kind,
            m.title,
            tuple(
                (c.kind, c.stated_on, c.target_text, c.achieved_on, c.evidence, c.source.url)
                for c in m.claims.all()
            ),
        )
        for m in Milestone.objects.filter(slug__startswith="syn-")
        .select_related("company", "facility")
        .prefetch_related("claims__source")
        .order_by("slug")
    ]


def test_generate_writes_what_it_reports():
    report = generate()
    assert "20 companies" in report and "200 milestones" in report
    assert Company.objects.filter(slug__startswith="syn-").count() == 20
    assert Milestone.objects.filter(slug__startswith="syn-").count() == 200
    claims = Claim.objects.filter(milestone__slug__startswith="syn-").count()
    assert 200 <= claims <= 6 * 200
    assert f"{claims} claims" in report


def test_every_row_passes_full_clean():
    generate()
    for model in (Company, Facility, Source, CompanyRelation, Milestone):
        for row in model.objects.order_by("pk")[:60]:
            row.full_clean()
    for claim in Claim.objects.order_by("pk"):
        stored = (claim.target_text, claim.target_earliest, claim.target_latest)
        stored += (claim.target_precision,)
        claim.full_clean()  # re-parses the target as the admin would
        assert stored == (
            claim.target_text,
            claim.target_earliest,
            claim.target_latest,
            claim.target_precision,
        ), claim.target_text


def test_achievements_are_reported_on_or_after_they_happened():
    generate()
    achievements = Claim.objects.filter(kind=Claim.Kind.ACHIEVEMENT)
    assert achievements.exists()
    assert all(c.achieved_on <= c.stated_on and c.evidence for c in achievements)


def test_the_same_seed_gives_the_same_rows():
    generate(seed=3)
    first = fingerprint()
    call_command("generate_synthetic", clear=True, stdout=StringIO())
    assert not Milestone.objects.filter(slug__startswith="syn-").exists()
    generate(seed=3)
    assert fingerprint() == first
    call_command("generate_synthetic", clear=True, stdout=StringIO())
    generate(seed=4)
    assert fingerprint() != first


def test_every_status_occurs_and_the_database_agrees_with_the_rules():
    generate()
    rows = AsOf(AS_OF).annotated().prefetch_related("claims")
    statuses = {row.status for row in rows}
    assert statuses == {s.value for s in Status}
    for row in rows[:80]:
        assert row.status == derive_status(row.claims.all(), AS_OF).status.value


def test_sources_are_shared_by_several_claims():
    generate()
    claims = Claim.objects.count()
    cited = Claim.objects.values("source").distinct().count()
    assert cited < claims / 2


def test_clear_leaves_other_rows_alone():
    company = CompanyFactory(slug="eve-energy")
    ClaimFactory(milestone=MilestoneFactory(company=company), target_text="2027")
    generate()
    out = StringIO()
    call_command("generate_synthetic", clear=True, stdout=out)
    assert "Deleted synthetic rows" in out.getvalue()
    assert list(Company.objects.values_list("slug", flat=True)) == ["eve-energy"]
    assert Claim.objects.count() == 1
    assert not Source.objects.filter(url__startswith=synthetic.SOURCE_PREFIX).exists()


def test_command_asks_for_sizes():
    with pytest.raises(CommandError, match="--companies N"):
        call_command("generate_synthetic", stdout=StringIO())
    with pytest.raises(CommandError, match="need companies"):
        call_command("generate_synthetic", milestones=5, stdout=StringIO())
