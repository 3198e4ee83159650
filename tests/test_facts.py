"""The stored status facts (MilestoneFacts) stay what the claims say, through any edits."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from claims.facts import FACT_NAMES, refresh_facts, stored_facts_cover
from claims.models import Claim, Milestone, MilestoneFacts
from claims.read import AsOf
from tests.factories import ClaimFactory, CompanyFactory, MilestoneFactory, SourceFactory
from tests.strategies import claim_fields

START = date(2021, 1, 1)


def derived() -> dict:
    """Every milestone's facts as derived from all its claims, for those with claims."""
    rows = Milestone.objects.annotate(**Milestone.objects.derived_facts(date.max)).values(
        "pk", *FACT_NAMES
    )
    return {row.pop("pk"): row for row in rows if row["last_claim_on"] is not None}


def stored() -> dict:
    rows = MilestoneFacts.objects.values("milestone_id", *FACT_NAMES)
    return {row.pop("milestone_id"): row for row in rows}


@st.composite
def edits(draw):
    """A sequence of (operation, milestone number, claim number, fields)."""
    steps = []
    for _ in range(draw(st.integers(1, 10))):
        operation = draw(st.sampled_from(["add", "add", "change", "move", "delete", "bulk"]))
        steps.append(
            (operation, draw(st.integers(0, 2)), draw(st.integers(0, 9)), claim_fields(draw, 1500))
        )
    return steps


class StoredFactsTests(TestCase):
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=edits())
    def test_stored_facts_follow_every_edit(self, steps):
        company = CompanyFactory(fiscal_year_start_month=4)
        milestones = [
            Milestone.objects.create(company=company, slug=f"m{n}", title="M", kind="other")
            for n in range(3)
        ]
        partner = CompanyFactory()
        for milestone in milestones:
            milestone.partners.add(partner)
        for n, (operation, which, pick, fields) in enumerate(steps):
            claims = list(Claim.objects.order_by("pk"))
            if operation == "add" or not claims:
                source = SourceFactory(url=f"https://e.x/{n}")
                claim = Claim(milestone=milestones[which], source=source, **fields)
            else:
                claim = claims[pick % len(claims)]
                if operation == "delete":
                    claim.delete()
                    continue
                if operation == "bulk":  # as the admin's "delete selected" does
                    Claim.objects.filter(pk=claim.pk).delete()
                    continue
                if operation == "move":
                    claim.milestone = milestones[which]
                else:
                    for name, value in fields.items():
                        setattr(claim, name, value)
            claim.clean()
            claim.save()
        self.assertEqual(stored(), derived())


@pytest.mark.django_db
def test_a_claim_deleted_with_its_milestone_leaves_no_facts():
    milestone = MilestoneFactory()
    ClaimFactory(milestone=milestone, target_text="2027")
    assert MilestoneFacts.objects.filter(milestone=milestone).exists()
    milestone.company.delete()
    assert not MilestoneFacts.objects.exists()


@pytest.mark.django_db
def test_refresh_rebuilds_facts_written_around_the_signals():
    milestone = MilestoneFactory()
    ClaimFactory(milestone=milestone, target_text="2027")
    Claim.objects.update(target_latest=date(2031, 12, 31))  # a bulk write sends no signal
    assert stored() != derived()
    refresh_facts()
    assert stored() == derived()
    assert stored()[milestone.pk]["current_target_latest"] == date(2031, 12, 31)


@pytest.mark.django_db
def test_stored_facts_are_read_only_on_or_after_the_latest_claim():
    ClaimFactory(stated_on=date(2025, 3, 1), target_text="2027")
    assert stored_facts_cover(date(2025, 3, 1))
    assert not stored_facts_cover(date(2025, 2, 28))
    assert AsOf(date(2025, 3, 1)).stored and not AsOf(date(2025, 2, 28)).stored
    assert "milestonefacts" in str(AsOf(date(2025, 3, 1)).milestones().query)
    assert "milestonefacts" not in str(AsOf(date(2025, 2, 28)).milestones().query)


@pytest.mark.django_db
def test_refresh_facts_command_repairs_facts_changed_outside_the_application():
    from io import StringIO

    from django.core.management import call_command

    ClaimFactory(target_text="2027")
    MilestoneFacts.objects.all().delete()
    out = StringIO()
    call_command("refresh_facts", stdout=out)
    assert stored() == derived() != {}
    assert "Rebuilt the status facts of 1 milestones." in out.getvalue()


@pytest.mark.django_db
def test_a_claims_save_locks_its_milestone_before_deriving_its_facts():
    """So that two editors saving claims of one milestone at once cannot leave the facts of
    only one of them (PostgreSQL; SQLite lets one writer at a time anyway)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("the database has no row locks")
    claim = ClaimFactory(target_text="2027")
    claim.target_text = "2028"
    claim.clean()
    with CaptureQueriesContext(connection) as ctx:
        claim.save()
    sql = [q["sql"] for q in ctx.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "FOR UPDATE" in q or "FOR NO KEY UPDATE" in q)
    insert = next(i for i, q in enumerate(sql) if "INSERT INTO" in q and "milestonefacts" in q)
    assert lock < insert
