"""The database form of the status rules agrees with claims/status/rules.py on any history."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from claims.models import Claim, Milestone
from claims.read import AsOf
from claims.status import Status, derive_status
from tests.factories import CompanyFactory, SourceFactory
from tests.strategies import claim_histories


class StatusAgreementTests(TestCase):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        history=claim_histories(),
        as_of=st.dates(min_value=date(2020, 6, 1), max_value=date(2034, 1, 1)),
    )
    def test_database_status_matches_python_rules(self, history, as_of):
        company = CompanyFactory(fiscal_year_start_month=4)
        milestone = Milestone.objects.create(
            company=company, slug="m", title="M", kind="production_start"
        )
        milestone.partners.add(CompanyFactory())
        for n, row in enumerate(history):
            claim = Claim(milestone=milestone, source=SourceFactory(url=f"https://e.x/{n}"), **row)
            claim.clean()  # parse the target as an editor's save would
            claim.save()
        expected = derive_status(Claim.objects.filter(milestone=milestone), as_of)
        # Both of the read model's paths: the facts derived from the claims known by as_of,
        # and (when every claim is known by then) the stored facts.
        paths = [False] + ([True] if AsOf(as_of).stored else [])
        for stored in paths:
            self.check_read(AsOf(as_of, stored=stored), milestone, expected)

    def check_read(self, read, milestone, expected):
        row = read.annotated(stated_only=False).get(pk=milestone.pk)
        self.assertEqual(row.status, expected.status.value)
        self.assertEqual(row.stale, expected.stale)
        self.assertEqual(row.achieved_on, expected.achieved_on)
        self.assertEqual(row.achieved_latest, expected.achieved_latest)
        first = expected.first_target.latest if expected.first_target else None
        current = expected.current_target.latest if expected.current_target else None
        self.assertEqual(row.first_target_latest, first)
        self.assertEqual(row.current_target_latest, current)
        self.assertEqual(row.last_claim_on, expected.last_claim_on)
        self.assertEqual(row.last_claim_from, expected.last_claim_from)
        # Filtering by status finds it under its own status and no other.
        found = {
            status
            for status in Status
            if read.in_status(read.annotated(stated_only=False), [status]).filter(pk=milestone.pk)
        }
        self.assertEqual(found, {expected.status})
        # And the row a list shows carries the rules' verdict and slip.
        result = read.row(row).result
        self.assertEqual(
            (result.verdict, result.slip_months, result.slip_months_max),
            (expected.verdict, expected.slip_months, expected.slip_months_max),
        )
