"""The capacity pipeline: planned, under construction, operating and cancelled, in GWh a year."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from claims.cache import cache_public_page
from claims.charts import pipeline_chart
from claims.filters import PipelineFilterForm
from claims.read import AsOf
from claims.read.pipeline import GROUPS, STAGE_LABELS, STAGES, Pipeline
from claims.views.common import csv_response, page_context, render_page, wants_csv

#: The company facet lists the companies with most units (and the one chosen).
COMPANY_FACETS = 30


@require_safe
@cache_public_page
def pipeline(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    form = PipelineFilterForm(request.GET)
    context["messages_list"] += form.messages
    filters = form.filters()
    pipe = Pipeline(AsOf(context["as_of"]), filters)
    rows = pipe.table()
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
    facets = pipe.facets()
    facets["company"] = facets["company"][:COMPANY_FACETS]
    chart = pipeline_chart(
        [(r.key, {s: float(r.gwh[s]) for s in STAGES}) for r in rows],
        STAGES,
        STAGE_LABELS,
        title=f"Capacity in GWh a year by {group_label.lower()} and stage",
        description="Stacked bars, one per row of the table below: operating, under "
        "construction, planned and cancelled capacity in GWh a year.",
    )
    context.update(
        form=form,
        filters=filters,
        rows=rows,
        totals=pipe.totals(rows),
        stages=[(s, STAGE_LABELS[s]) for s in STAGES],
        group_label=group_label,
        groups=GROUPS,
        chart=chart,
        facets=facets,
        skipped=pipe.not_convertible(),
        promised_tables=[
            ("country", pipe.promised("country")),
            ("company", pipe.promised("company")),
        ],
    )
    return render_page(request, "claims/pipeline.html", context)
