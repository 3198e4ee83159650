"""Scorecards (who keeps their promises), comparisons of companies, and cell metrics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property

from claims.filters import METRICS, CompareForm, MetricsForm, ScorecardForm
from claims.plots import scatter_chart, spread_chart
from claims.read import AsOf, MilestoneFilters
from claims.read.metrics import MAX_POINTS, count_found, metric_points
from claims.read.scorecards import MIN_DATED, compare, scorecards
from claims.views.common import (
    TALLY_COLUMNS,
    csv_response,
    page_context,
    paginate,
    public_page,
    render_page,
    wants_csv,
)

#: Rows of a scorecards page (each with its row in the chart of slips).
SCORECARDS_PER_PAGE = 25


@public_page
def scorecard_list(request: HttpRequest) -> HttpResponse:
    form = ScorecardForm(request.GET)
    context = page_context(request, form)
    by, min_dated = form.choice("by", "company"), form.choice("min", MIN_DATED)
    rows = scorecards(
        AsOf(context["as_of"]), by=by, min_dated=min_dated, sort=form.choice("sort", "rank")
    )
    if wants_csv(request):
        return csv_response(
            f"scorecards-{by}.csv", SCORECARD_CSV, _scorecard_csv(rows, min_dated, context["as_of"])
        )
    page = paginate(request, rows, context, per_page=SCORECARDS_PER_PAGE)
    context.update(
        by=by,
        min_dated=min_dated,
        page=page,
        peers=sum(1 for r in rows if r.rank is not None),
        chart=spread_chart(
            [(r.name, r.url, r.spread, r.record.slips) for r in page.object_list],
            title=f"Slips by {by}, months past the first dated target",
        ),
    )
    return render_page(request, "claims/scorecards.html", context)


SCORECARD_CSV = [
    "key",
    "name",
    "rank",
    "dated_targets",
    *TALLY_COLUMNS,
    "kept_on_time_share",
    "median_slip_months",
    "slip_lower_quartile",
    "slip_upper_quartile",
    "slip_least",
    "slip_most",
    "min_dated_targets",
    "as_of",
]


def _scorecard_csv(rows, min_dated, as_of):
    for row in rows:
        r, s = row.record, row.spread
        yield [
            row.key,
            row.name,
            row.rank,
            r.dated,
            *r.tallies,
            round(r.kept_share, 3) if r.kept_share is not None else None,
            r.median_slip_months,
            *((s.lower, s.upper, s.least, s.most) if s else (None,) * 4),
            min_dated,
            as_of,
        ]


@public_page
def compare_companies(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET if "company" in request.GET else None)
    context = page_context(request, form)
    compared = None
    if form.is_bound and form.is_valid():
        compared = compare(AsOf(context["as_of"]), form.companies)
    # The companies found stay chosen (to remove with a tick); the rest of four, to add.
    chosen = form.companies[:4]
    typed = form.unmatched + [""] * 4
    context.update(
        compared=compared,
        chosen=chosen,
        free=[(n, typed[i]) for i, n in enumerate(range(len(chosen) + 1, 5))],
    )
    return render_page(request, "claims/compare.html", context)


@public_page
def metrics(request: HttpRequest) -> HttpResponse:
    form = MetricsForm(request.GET)
    context = page_context(request, form)
    valid = form.is_valid()
    metric = form.cleaned_data.get("metric") or "wh_kg"
    field, label, unit = METRICS[metric]
    filters = MilestoneFilters.of(form.cleaned_data) if valid else MilestoneFilters.none()
    read = AsOf(context["as_of"], filters)
    if wants_csv(request):
        points = metric_points(read, field, limit=None)
        return csv_response(
            f"metrics-{metric}.csv",
            METRICS_CSV,
            _metrics_csv(request, points, metric, unit, read.day),
        )
    context.update(
        metric=metric,
        metric_label=label,
        unit=unit,
        # Read and drawn only when the rendered results are not cached (see the template).
        results=MetricResults(read, field, label, unit),
        results_key=f"{metric}:{filters!r}",
    )
    return render_page(request, "claims/metrics.html", context)


class MetricResults:
    """The points of the metrics page and their chart, read when first asked for."""

    def __init__(self, read: AsOf, field: str, label: str, unit: str):
        self.read, self.field, self.label, self.unit = read, field, label, unit

    @cached_property
    def points(self) -> list:
        return metric_points(self.read, self.field)

    @cached_property
    def found(self) -> int:
        if len(self.points) >= MAX_POINTS:
            return count_found(self.read, self.field)
        return len(self.points)

    @cached_property
    def chart(self):
        return scatter_chart(
            [
                (
                    p.day,
                    p.value,
                    p.kind,
                    _point_title(p, self.unit),
                    p.milestone.get_absolute_url(),
                    p,
                )
                for p in self.points
            ],
            title=f"{self.label}: claimed against demonstrated",
            axis_title=self.unit,
        )


def _point_title(point, unit: str) -> str:
    verb = "demonstrated" if point.kind == "demonstrated" else "claimed for"
    return f"{point.milestone.company.name}: {point.value:g} {unit}, {verb} {point.day:%b %Y} ({point.milestone.title})"


METRICS_CSV = [
    "company",
    "milestone",
    "technology",
    "country",
    "metric",
    "value",
    "unit",
    "kind",
    "date",
    "status",
    "source",
    "source_url",
    "milestone_url",
    "as_of",
]


def _metrics_csv(request, points, metric, unit, as_of):
    for p in points:
        m = p.milestone
        yield [
            m.company.name,
            m.title,
            m.technology.name if m.technology_id else "",
            m.country.code if m.country else "",
            metric,
            p.value,
            unit,
            p.kind,
            p.day,
            p.result.status.value,
            p.source.title if p.source else "",
            p.source.url if p.source else "",
            request.build_absolute_uri(m.get_absolute_url()),
            as_of,
        ]
