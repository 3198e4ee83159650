"""Constraints in the database, each mirrored by a readable clean() message."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from claims.models import Claim, Facility, Source
from tests.factories import (
    ClaimFactory,
    CompanyFactory,
    CompanyRelationFactory,
    FacilityFactory,
    MilestoneFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> str:
    return " ".join(m for msgs in exc.message_dict.values() for m in msgs)


def assert_db_refuses(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


# Sources ----------------------------------------------------------------------------------


def test_source_url_is_unique_in_database_and_in_clean():
    SourceFactory(url="https://a.example/x")
    twin = Source(
        url="https://a.example/x", title="t", publisher="p", published_on=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        twin.full_clean()
    assert "already has this URL" in messages(exc.value)
    assert_db_refuses(twin.save)


def test_sources_without_url_may_share_the_empty_url_when_reported_via_another():
    article = SourceFactory()
    SourceFactory(url="", via=article, title="WeChat post")
    SourceFactory(url="", via=article, title="Phone call")
    assert Source.objects.filter(url="").count() == 2


def test_source_without_url_needs_a_via():
    orphan = Source(url="", title="t", publisher="p", published_on=date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        orphan.full_clean()
    assert "reported via" in messages(exc.value)
    assert_db_refuses(orphan.save)


def test_source_url_must_be_http():
    bad = Source(url="javascript:alert(1)", title="t", publisher="p", published_on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        bad.full_clean()
    assert_db_refuses(bad.save)


def test_cited_source_cannot_be_deleted():
    claim = ClaimFactory()
    with pytest.raises(ProtectedError):
        claim.source.delete()


# Companies and relations ------------------------------------------------------------------


def test_company_slug_is_unique():
    CompanyFactory(slug="eve-energy")
    assert_db_refuses(lambda: CompanyFactory(slug="eve-energy"))


def test_company_cannot_be_related_to_itself():
    company = CompanyFactory()
    relation = CompanyRelationFactory.build(
        from_company=company, to_company=company, source=SourceFactory()
    )
    with pytest.raises(ValidationError) as exc:
        relation.full_clean()
    assert "itself" in messages(exc.value)
    assert_db_refuses(relation.save)


def test_company_search_matches_aliases_and_native_names():
    from claims.models import Company

    CompanyFactory(name="WeLion New Energy", native_name="卫蓝新能源", aliases="Weilan New Energy")
    CompanyFactory(name="Other")
    assert [c.name for c in Company.objects.search("weilan")] == ["WeLion New Energy"]
    assert [c.name for c in Company.objects.search("卫蓝")] == ["WeLion New Energy"]


# Facilities -------------------------------------------------------------------------------


def test_facility_capacity_cannot_be_negative():
    facility = FacilityFactory.build(
        company=CompanyFactory(), capacity_value=Decimal("-1"), capacity_unit="gwh_per_year"
    )
    with pytest.raises(ValidationError) as exc:
        facility.full_clean()
    assert "capacity" in str(exc.value.message_dict).lower()
    assert_db_refuses(facility.save)


def test_facility_capacity_needs_a_unit():
    facility = FacilityFactory.build(company=CompanyFactory(), capacity_value=Decimal("15"))
    with pytest.raises(ValidationError) as exc:
        facility.full_clean()
    assert "unit together" in messages(exc.value)
    assert_db_refuses(facility.save)


def test_facility_coordinates_come_with_accuracy():
    facility = FacilityFactory.build(
        company=CompanyFactory(), latitude=Decimal("30.5"), longitude=Decimal("104.1")
    )
    with pytest.raises(ValidationError) as exc:
        facility.full_clean()
    assert "exact or approximate" in messages(exc.value)
    assert_db_refuses(facility.save)
    facility.location_accuracy = Facility.Accuracy.APPROXIMATE
    facility.full_clean()


def test_facility_investment_needs_currency():
    facility = FacilityFactory.build(company=CompanyFactory(), investment_amount=Decimal("1e10"))
    with pytest.raises(ValidationError) as exc:
        facility.full_clean()
    assert "currency" in messages(exc.value)


# Milestones -------------------------------------------------------------------------------


def test_milestone_facility_must_belong_to_its_company():
    facility = FacilityFactory()
    milestone = MilestoneFactory.build(company=CompanyFactory(), facility=facility)
    with pytest.raises(ValidationError) as exc:
        milestone.full_clean()
    assert "belongs to" in messages(exc.value)


def test_milestone_metrics_cannot_be_negative():
    milestone = MilestoneFactory.build(company=CompanyFactory(), cell_ah=Decimal("-10"))
    with pytest.raises(ValidationError):
        milestone.full_clean()
    assert_db_refuses(milestone.save)


# Claims -----------------------------------------------------------------------------------


def test_claim_target_is_parsed_on_clean():
    claim = ClaimFactory(target_text="by December 2025")
    claim.refresh_from_db()
    assert (claim.target_earliest, claim.target_latest, claim.target_precision) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
        "month",
    )
    assert claim.target_text == "by December 2025"
    assert claim.target_label == "Dec 2025"


def test_unreadable_target_is_refused_with_examples():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(), source=SourceFactory(), target_text="soonish"
    )
    with pytest.raises(ValidationError) as exc:
        claim.full_clean()
    assert 'Could not read "soonish"' in exc.value.message_dict["target_text"][0]


def test_achievement_needs_a_date_and_evidence():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(),
        source=SourceFactory(),
        kind=Claim.Kind.ACHIEVEMENT,
        target_text="",
    )
    with pytest.raises(ValidationError) as exc:
        claim.full_clean()
    assert "date it happened" in exc.value.message_dict["achieved_on"][0]
    assert "evidence" in exc.value.message_dict["evidence"][0]
    assert_db_refuses(claim.save)


def test_only_achievements_carry_a_date_achieved():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(), source=SourceFactory(), achieved_on=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        claim.full_clean()
    assert "Only an achievement" in exc.value.message_dict["achieved_on"][0]
    assert_db_refuses(claim.save)


def test_clarification_carries_no_target():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(),
        source=SourceFactory(),
        kind=Claim.Kind.CLARIFICATION,
        target_text="2027",
    )
    with pytest.raises(ValidationError) as exc:
        claim.full_clean()
    assert "carries no target" in exc.value.message_dict["target_text"][0]


def test_target_period_must_be_ordered_in_database():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(),
        source=SourceFactory(),
        target_earliest=date(2027, 1, 1),
        target_latest=date(2026, 1, 1),
        target_precision="range",
    )
    assert_db_refuses(claim.save)


def test_achievement_cannot_be_reported_before_it_happened():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(),
        source=SourceFactory(),
        kind=Claim.Kind.ACHIEVEMENT,
        target_text="",
        stated_on=date(2025, 1, 1),
        achieved_on=date(2025, 2, 1),
        evidence=1,
    )
    with pytest.raises(ValidationError) as exc:
        claim.full_clean()
    assert "after the date stated" in exc.value.message_dict["achieved_on"][0]


def test_claim_cannot_be_stated_in_the_future(time_machine):
    time_machine.move_to(date(2025, 9, 8))
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(), source=SourceFactory(), stated_on=date(2025, 9, 9)
    )
    with pytest.raises(ValidationError) as exc:
        claim.full_clean()
    assert "future" in exc.value.message_dict["stated_on"][0]


def test_same_statement_twice_is_refused():
    claim = ClaimFactory()
    twin = ClaimFactory.build(
        milestone=claim.milestone, source=claim.source, stated_on=claim.stated_on
    )
    with pytest.raises(ValidationError) as exc:
        twin.full_clean()
    assert "already has a claim" in messages(exc.value) + str(exc.value)
    assert_db_refuses(twin.save)


def test_every_model_keeps_history():
    claim = ClaimFactory(target_text="2026")
    claim.target_text = "2027"
    claim.full_clean()
    claim.save()
    assert claim.history.count() == 2
    assert claim.history.earliest().target_text == "2026"
    for model in (Claim, Source, Facility):
        assert hasattr(model, "history")


@pytest.mark.django_db
def test_relative_targets_count_from_the_last_day_the_statement_could_have_been_made():
    """ "Within 18 months" said in "2023" may have been said in December: due mid-2025."""
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(),
        stated_on=date(2023, 1, 1),
        stated_on_precision="year",
        target_text="within 18 months",
    )
    claim.clean()
    assert claim.target_latest == date(2025, 6, 30)


@pytest.mark.django_db
def test_a_relative_target_beyond_2100_is_refused_not_a_server_error():
    claim = ClaimFactory.build(
        milestone=MilestoneFactory(), stated_on=date(2025, 10, 1), target_text="within 100000 years"
    )
    with pytest.raises(ValidationError, match="would end after 2100"):
        claim.clean()


def test_cell_figures_cannot_be_negative_in_clean_or_in_the_database():
    milestone = MilestoneFactory.build(company=CompanyFactory(), cycle_life=-1)
    with pytest.raises(ValidationError):
        milestone.full_clean()
    assert_db_refuses(milestone.save)
    for field in ("cell_ah", "cell_nominal_voltage"):
        facility = FacilityFactory.build(company=CompanyFactory(), **{field: Decimal("-1")})
        with pytest.raises(ValidationError) as exc:
            facility.full_clean()
        assert field in exc.value.message_dict
        assert_db_refuses(facility.save)
