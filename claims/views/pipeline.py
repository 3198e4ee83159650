"""The capacity pipeline: planned, under construction, operating and cancelled, in GWh a year."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from claims.filters import PipelineFilterForm
from claims.pipeline_chart import pipeline_chart
from claims.read import AsOf
from claims.read.pipeline import GROUPS, PROMISED_NAMES, STAGE_LABELS, STAGES, Pipeline
from claims.views.common import csv_response, page_context, public_page, render_page, wants_csv

#: The company facet lists the companies with most units (and the one chosen).
COMPANY_FACETS = 30
#: Rows of the table on the page, largest first (the CSV and the API have every row).
TABLE_ROWS = 100
#: Bars in the chart (the table has every row): more would not be readable.
CHART_ROWS = 30
#: Capacity not converted, and capacity converted from cells, listed on the page (the API
#: lists it all).
SKIPPED_ROWS = 100


@public_page
def pipeline(request: HttpRequest) -> HttpResponse:
    form = PipelineFilterForm(request.GET)
    context = page_context(request, form)
    filters = form.filters()
    pipe = Pipeline(AsOf(context["as_of"]), filters)
    summary = pipe.summary()
    rows = summary["rows"]
    group_label = GROUPS[filters.group]
    if wants_csv(request):
        return csv_response(
            "pipeline.csv",
            [
                filters.group,
                *[f"{s}_gwh_per_year" for s in STAGES],
                "total_gwh_per_year",
                "not_convertible_units",
                "as_of",
            ],
            (
                [r.key, *[r.gwh[s] for s in STAGES], r.total, r.not_convertible, context["as_of"]]
                for r in rows
            ),
        )
    facets = dict(summary["facets"])
    facets["company"] = facets["company"][:COMPANY_FACETS]
    chart = pipeline_chart(
        [(r.key, {s: float(r.gwh[s]) for s in STAGES}) for r in rows[:CHART_ROWS]],
        STAGES,
        STAGE_LABELS,
        title=f"Capacity in GWh a year by {group_label.lower()} and stage",
        description="Stacked bars, one per row of the table below"
        + (f" (the first {CHART_ROWS})" if len(rows) > CHART_ROWS else "")
        + ": operating, under construction, planned and cancelled capacity in GWh a year.",
    )
    skipped = summary["not_convertible"]
    context.update(
        filters=filters,
        rows=rows[:TABLE_ROWS],
        row_count=len(rows),
        totals=summary["totals"],
        stages=[(s, STAGE_LABELS[s]) for s in STAGES],
        group_label=group_label,
        groups=GROUPS,
        chart=chart,
        chart_rows=CHART_ROWS,
        facets=facets,
        skipped=skipped[:SKIPPED_ROWS],
        skipped_count=len(skipped),
        converted=summary["converted"][:SKIPPED_ROWS],
        converted_count=len(summary["converted"]),
        promised_tables=[
            ("country", summary["promised_country"]),
            ("company", summary["promised_company"]),
        ],
        promised_names=PROMISED_NAMES,
    )
    return render_page(request, "claims/pipeline.html", context)
