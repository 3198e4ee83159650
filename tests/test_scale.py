"""The reads that keep pages fast at scale give the same answers as the plain ones."""

from dataclasses import replace
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.http import QueryDict

from claims import querysets
from claims.filters import MilestoneFilterForm
from claims.models import Claim, Milestone
from claims.read import AsOf
from claims.read.filters import country_name
from claims.status import Status, add_months, derive_status

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


@pytest.fixture(
    params=[(AS_OF, True), (AS_OF, False), (date(2025, 6, 1), False)],
    ids=["stored facts", "derived facts on the last day", "derived facts"],
)
def as_of(request, data) -> date:
    """The data's last day, when the read model reads status from the stored facts (and
    the same day with the facts derived, to compare), and a day before its last claims,
    when it derives them from the claims stated by then."""
    day, stored = request.param
    assert AsOf(day).stored == stored or not stored
    return request.param


def read_for(query: str, as_of) -> AsOf:
    day, stored = as_of
    return AsOf(day, form_for(query).filters(), stored=stored)


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


def facet(read: AsOf, base, name: str, field: str, label=None, label_field=None) -> list[dict]:
    """Counts of each value of `field` under all the filters but `name`, by a counting
    query: what the census must add up to."""
    others = read.filtered(replace(read.filters, **{name: FILTER_EMPTY[name]}))
    selected = {str(v) for v in read.filters.chosen()[name]}
    rows = (
        others.narrowed(base)
        .order_by()
        .values(*[f for f in (field, label_field) if f])
        .annotate(n=Count("pk", distinct=True))
    )
    return [
        {
            "value": str(row[field]),
            "label": row[label_field] if label_field else (label or str)(row[field]),
            "n": row["n"],
            "selected": str(row[field]) in selected,
        }
        for row in rows
        if row[field] not in (None, "")
    ]


FILTER_EMPTY = {"country": (), "company": "", "status": (), "kind": (), "year": None}


@pytest.mark.parametrize("query", FILTERS)
def test_due_order_read_through_the_claims_index_matches_a_full_sort(data, query, as_of):
    read = read_for(query, as_of)
    milestones = read.milestones()
    rows = read.rows()
    for start in (0, 7, 20, 45):
        expected = [m.pk for m in milestones[start : start + 7]]
        assert [r.milestone.pk for r in rows[start : start + 7]] == expected, (query, start)
        # The rows carry the status the rules give each milestone's claims.
        for row in rows[start : start + 7]:
            claims = Claim.objects.filter(milestone=row.milestone)
            assert row.result.status == derive_status(claims, read.day).status, row.milestone.pk


def test_dashboard_lists_read_through_the_claims_index_match_a_full_sort(data, as_of):
    read = read_for("", as_of)
    as_of = read.day
    milestones = read.annotated()
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
            claims,
            field=field,
            claim_field=claim_field,
            descending=descending,
            limit=12,
            indexed=read.stored,
        )
        assert [m.pk for m in found] == expected, field
    # The read model's own lists are these.
    lists = [read.due_soon(12), read.recently_achieved(12), read.overdue(12)]
    for (queryset, _, field, _, descending), rows in zip(cases, lists, strict=True):
        sign = "-" if descending else ""
        if descending:
            queryset = queryset.filter(**{f"{field}__isnull": False})
        expected = [m.pk for m in queryset.order_by(f"{sign}{field}", f"{sign}pk")[:12]]
        assert [r.milestone.pk for r in rows] == expected, field


@pytest.mark.parametrize("query", FILTERS)
def test_facet_counts_added_up_from_the_census_match_counting_queries(data, query, as_of):
    read = read_for(query, as_of)
    base = read.annotated()
    facets, total = read.facets_and_count()
    assert total == read.milestones().count()
    expected = {
        "country": facet(read, base, "country", "country", label=country_name),
        "status": facet(read, base, "status", "status", label=lambda v: Status(v).label),
        "kind": facet(read, base, "kind", "kind", label=lambda v: Milestone.Kind(v).label),
        "year": facet(read, base, "year", "target_year"),
        "company": facet(read, base, "company", "company__slug", label_field="company__name"),
    }
    for name, rows in expected.items():
        counts = {f["value"]: (f["n"], f["selected"]) for f in facets[name]}
        assert counts == {f["value"]: (f["n"], f["selected"]) for f in rows}, name
