"""The reads that keep pages fast at scale give the same answers as the plain ones."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import QueryDict

from claims import querysets
from claims.filters import MilestoneFilterForm, country_name
from claims.models import Claim, Milestone
from claims.status import Status, add_months
from claims.views.milestones import DueFirst, census

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 10, 1)
FILTERS = [
    "",
    "country=CN",
    "country=CN&country=JP",
    "status=overdue",
    "status=on_track&status=delayed",
    "status=achieved",
    "year=2027",
    "kind=production_start&country=US",
    "q=energy",
    "technology=oxide&status=undated",
]


@pytest.fixture(params=[AS_OF, date(2025, 6, 1)], ids=["stored facts", "derived facts"])
def as_of(request) -> date:
    """The data's last day, when status is read from the stored facts, and a day before
    its last claims, when it is derived from the claims stated by then."""
    return request.param


@pytest.fixture
def data(monkeypatch):
    call_command(
        "generate_synthetic", companies=25, milestones=300, seed=11, until=AS_OF, stdout=StringIO()
    )
    # Few candidates per row, so that the small data set takes every path, fall-backs too.
    monkeypatch.setattr(querysets, "CANDIDATES_PER_ROW", 2)


def form_for(query: str) -> MilestoneFilterForm:
    form = MilestoneFilterForm(QueryDict(query))
    assert form.is_valid(), form.errors
    return form


@pytest.mark.parametrize("query", FILTERS)
def test_due_order_read_through_the_claims_index_matches_a_full_sort(data, query, as_of):
    form = form_for(query)
    milestones = form.sorted(form.filtered(Milestone.objects.with_status(as_of).stated_by(as_of)))
    through = DueFirst(milestones, form, as_of)
    for start in (0, 7, 20, 45):
        expected = [m.pk for m in milestones[start : start + 7]]
        assert [m.pk for m in through[start : start + 7]] == expected, (query, start)


def test_dashboard_lists_read_through_the_claims_index_match_a_full_sort(data, as_of):
    milestones = Milestone.objects.with_status(as_of).stated_by(as_of)
    targets = Claim.objects.stated_by(as_of).filter(kind__in=Claim.TARGET_KINDS)
    year_ahead = add_months(as_of, 12)
    cases = [
        (
            milestones.filter(
                status__in=[Status.ON_TRACK, Status.DELAYED],
                current_target_latest__gte=as_of,
                current_target_latest__lte=year_ahead,
            ),
            targets.filter(target_latest__gte=as_of, target_latest__lte=year_ahead),
            "current_target_latest",
            "target_latest",
            False,
        ),
        (
            milestones.filter(status=Status.ACHIEVED),
            Claim.objects.stated_by(as_of).filter(kind=Claim.Kind.ACHIEVEMENT),
            "achieved_on",
            "achieved_on",
            True,
        ),
        (
            milestones.filter(status=Status.OVERDUE),
            targets.filter(target_latest__lt=as_of),
            "current_target_latest",
            "target_latest",
            True,
        ),
    ]
    for queryset, claims, field, claim_field, descending in cases:
        sign = "-" if descending else ""
        if descending:  # rows without a value are left out
            queryset = queryset.filter(**{f"{field}__isnull": False})
        expected = [m.pk for m in queryset.order_by(f"{sign}{field}", f"{sign}pk")[:12]]
        found = queryset.first_through(
            claims, field=field, claim_field=claim_field, descending=descending, limit=12
        )
        assert [m.pk for m in found] == expected, field


@pytest.mark.parametrize("query", FILTERS)
def test_facet_counts_added_up_from_the_census_match_counting_queries(data, query, as_of):
    form = form_for(query)
    base = Milestone.objects.with_status(as_of).stated_by(as_of)
    facets, total = form.census_facets(*census(as_of, form))
    assert total == form.filtered(base).count()
    expected = {
        "country": form.facet(base, "country", "company__country", label=country_name),
        "status": form.facet(base, "status", "status", label=lambda v: Status(v).label),
        "kind": form.facet(base, "kind", "kind", label=lambda v: Milestone.Kind(v).label),
        "year": form.facet(base, "year", "target_year"),
        "company": form.facet(base, "company", "company__slug", label_field="company__name"),
    }
    for name, rows in expected.items():
        counts = {f["value"]: (f["n"], f["selected"]) for f in facets[name]}
        assert counts == {f["value"]: (f["n"], f["selected"]) for f in rows}, name
