"""The capacity pipeline: units in GWh a year, stages, as-of views, the page and its CSV."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.capacity import NO_AH, NO_VOLTAGE, TONNES, to_gwh
from claims.models import Claim, Facility, Milestone
from claims.models.base import CapacityUnit
from claims.read import AsOf
from claims.read.pipeline import (
    AH_FROM_FACILITY,
    AH_FROM_MILESTONE,
    CANCELLED,
    CONSTRUCTION,
    OPERATING,
    PLANNED,
    Pipeline,
    PipelineFilters,
)
from tests.factories import ClaimFactory, CompanyFactory, FacilityFactory, MilestoneFactory

DAY = date(2026, 6, 1)


# -- units ------------------------------------------------------------------------------------


def test_gwh_a_year_is_taken_as_stated():
    assert to_gwh(Decimal("15"), CapacityUnit.GWH_PER_YEAR) == (Decimal("15"), "")


def test_mwh_a_year_is_divided_by_a_thousand():
    assert to_gwh(Decimal("100"), CapacityUnit.MWH_PER_YEAR) == (Decimal("0.1"), "")


def test_cells_a_year_convert_with_the_cells_ah_and_voltage():
    gwh, reason = to_gwh(
        Decimal("500000"),
        CapacityUnit.CELLS_PER_YEAR,
        cell_ah=Decimal("60"),
        voltage=Decimal("3.7"),
    )
    assert (gwh, reason) == (Decimal("0.111"), "")


def test_cells_a_week_are_fifty_two_weeks_a_year():
    gwh, _ = to_gwh(
        Decimal("1000"), CapacityUnit.CELLS_PER_WEEK, cell_ah=Decimal("10"), voltage=Decimal("4")
    )
    assert gwh == Decimal("0.00208")


def test_cells_without_ah_are_not_convertible():
    assert to_gwh(Decimal("500000"), CapacityUnit.CELLS_PER_YEAR, voltage=Decimal("3.7")) == (
        None,
        NO_AH,
    )


def test_cells_without_voltage_are_not_convertible():
    assert to_gwh(Decimal("500000"), CapacityUnit.CELLS_PER_YEAR, cell_ah=Decimal("60")) == (
        None,
        NO_VOLTAGE,
    )


def test_tonnes_a_year_are_not_convertible():
    assert to_gwh(Decimal("30"), CapacityUnit.TONNES_PER_YEAR) == (None, TONNES)


# -- units from the records -------------------------------------------------------------------


def capacity(value="1", unit=CapacityUnit.GWH_PER_YEAR, *, target="Dec 2026", **kwargs):
    """A capacity phase with one announcement, stated on 1 Jan 2025."""
    kwargs.setdefault("kind", Milestone.Kind.CAPACITY_PHASE)
    milestone = MilestoneFactory(capacity_value=Decimal(value), capacity_unit=unit, **kwargs)
    ClaimFactory(milestone=milestone, target_text=target, stated_on=date(2025, 1, 1))
    return milestone


def achieve(milestone, on=date(2025, 6, 1)):
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.ACHIEVEMENT,
        target_text="",
        stated_on=on,
        achieved_on=on,
        evidence=1,
    )


def units(day=DAY, **filters):
    return {u.name: u for u in Pipeline(AsOf(day), PipelineFilters(**filters)).units()}


@pytest.mark.django_db
def test_achieved_capacity_is_operating_in_the_year_it_was_achieved():
    milestone = capacity(title="Line 1")
    achieve(milestone)
    unit = units()["Line 1"]
    assert (unit.stage, unit.year, unit.gwh) == (OPERATING, 2025, Decimal("1"))


@pytest.mark.django_db
def test_cancelled_capacity_is_cancelled():
    milestone = capacity(title="Line 1")
    ClaimFactory(
        milestone=milestone,
        kind=Claim.Kind.CANCELLATION,
        target_text="",
        stated_on=date(2025, 3, 1),
    )
    assert units()["Line 1"].stage == CANCELLED


@pytest.mark.django_db
def test_promised_capacity_is_planned_in_its_current_targets_year():
    capacity(title="Line 1", target="2027")
    unit = units()["Line 1"]
    assert (unit.stage, unit.year) == (PLANNED, 2027)


@pytest.mark.django_db
def test_overdue_capacity_is_still_planned():
    capacity(title="Line 1", target="Mar 2025")
    unit = units()["Line 1"]
    assert (unit.stage, unit.year) == (PLANNED, 2025)


@pytest.mark.django_db
def test_capacity_at_a_plant_being_built_is_under_construction_today_only():
    plant = FacilityFactory(status=Facility.Status.CONSTRUCTION)
    capacity(title="Line 1", company=plant.company, facility=plant)
    assert units(date.today())["Line 1"].stage == CONSTRUCTION
    assert units(DAY)["Line 1"].stage == PLANNED


@pytest.mark.django_db
def test_capacity_without_a_kind_that_makes_capacity_is_left_out():
    capacity(title="Samples", kind=Milestone.Kind.SAMPLE_DELIVERY)
    assert "Samples" not in units()


@pytest.mark.django_db
def test_a_facilitys_own_capacity_counts_only_when_no_milestone_states_one():
    counted = FacilityFactory(
        name="Plant A",
        capacity_value=Decimal("8"),
        capacity_unit=CapacityUnit.GWH_PER_YEAR,
        status=Facility.Status.OPERATING,
    )
    covered = FacilityFactory(
        name="Plant B", capacity_value=Decimal("8"), capacity_unit=CapacityUnit.GWH_PER_YEAR
    )
    capacity(title="Plant B phase 1", company=covered.company, facility=covered)
    found = units(date.today())
    assert found["Plant A"].gwh == Decimal("8") and found["Plant A"].stage == OPERATING
    assert found["Plant A"].year is None and counted.pk
    assert "Plant B" not in found and "Plant B phase 1" in found


@pytest.mark.django_db
def test_a_target_stated_later_is_not_in_the_past_view():
    milestone = capacity(title="Line 1")
    ClaimFactory(milestone=milestone, target_text="2029", stated_on=date(2026, 3, 1))
    assert units(date(2025, 12, 31))["Line 1"].year == 2026
    assert units(DAY)["Line 1"].year == 2029
    assert "Line 1" not in units(date(2024, 12, 31))


@pytest.mark.django_db
def test_unconvertible_capacity_is_counted_and_listed_not_summed():
    capacity("40000", CapacityUnit.TONNES_PER_YEAR, title="Electrolyte")
    capacity("500000", CapacityUnit.CELLS_PER_YEAR, title="Cells", cell_ah=Decimal("60"))
    capacity("2", title="Line 1")
    pipe = Pipeline(AsOf(DAY))
    assert {u.name: u.reason for u in pipe.not_convertible()} == {
        "Electrolyte": TONNES,
        "Cells": NO_VOLTAGE,
    }
    (row,) = pipe.table()
    assert (row.key, row.total, row.not_convertible) == ("2026", Decimal("2"), 2)


@pytest.mark.django_db
def test_filters_and_grouping_narrow_and_regroup_the_table():
    japan = CompanyFactory(name="Nippon Cells", slug="nippon", country="JP")
    capacity("2", title="Line 1")
    capacity("3", title="Line 2", company=japan)
    by_country = Pipeline(AsOf(DAY), PipelineFilters(group="country")).table()
    assert [(r.key, r.total) for r in by_country] == [("Japan", 3), ("China", 2)]
    only_japan = Pipeline(AsOf(DAY), PipelineFilters(country=("JP",))).table()
    assert [r.total for r in only_japan] == [3]
    assert Pipeline(AsOf(DAY), PipelineFilters(company="nippon")).units()[0].name == "Line 2"


@pytest.mark.django_db
def test_promised_for_a_year_is_set_against_what_was_in_place_by_its_end():
    on_time = capacity("2", title="Line 1", target="Dec 2025")
    achieve(on_time, date(2025, 11, 1))
    late = capacity("3", title="Line 2", target="Dec 2025")
    achieve(late, date(2026, 2, 1))
    capacity("5", title="Line 3", target="2025")
    (row,) = Pipeline(AsOf(DAY)).promised("country")
    assert (row["name"], row["year"], row["promised"], row["in_place"], row["share"]) == (
        "China",
        2025,
        Decimal("10"),
        Decimal("2"),
        20,
    )


# -- capacity in cells, with the cell made at the facility ----------------------------------


def cell_plant(name="Cell plant", *, ah="60", volts="3.7", **kwargs):
    """A plant making a cell of `ah` Ah at `volts` V (None: not recorded)."""
    return FacilityFactory(
        name=name,
        cell_ah=Decimal(ah) if ah else None,
        cell_nominal_voltage=Decimal(volts) if volts else None,
        **kwargs,
    )


def cells(value="500000", unit=CapacityUnit.CELLS_PER_YEAR):
    return {"capacity_value": Decimal(value), "capacity_unit": unit}


@pytest.mark.django_db
def test_a_facilitys_capacity_in_cells_converts_with_its_cells_ah_and_voltage():
    cell_plant("Plant A", **cells())
    unit = units(date.today())["Plant A"]
    assert (unit.gwh, unit.reason) == (Decimal("0.111"), "")
    assert (unit.cell_ah, unit.voltage, unit.ah_from) == (
        Decimal("60"),
        Decimal("3.7"),
        AH_FROM_FACILITY,
    )


@pytest.mark.django_db
def test_a_milestone_in_cells_a_week_takes_its_own_ah_and_its_facilitys_voltage():
    plant = cell_plant(ah="10", volts="4")
    capacity(
        "1000", CapacityUnit.CELLS_PER_WEEK, title="Line 1", company=plant.company,
        facility=plant, cell_ah=Decimal("20"),
    )  # fmt: skip
    unit = units()["Line 1"]
    assert (unit.gwh, unit.cell_ah, unit.voltage) == (Decimal("0.00416"), 20, 4)
    assert unit.ah_from == AH_FROM_MILESTONE


@pytest.mark.django_db
def test_a_milestone_without_its_own_ah_takes_its_facilitys_cell():
    plant = cell_plant()
    capacity("500000", CapacityUnit.CELLS_PER_YEAR, title="Line 1", company=plant.company,
             facility=plant)  # fmt: skip
    unit = units()["Line 1"]
    assert (unit.gwh, unit.ah_from) == (Decimal("0.111"), AH_FROM_FACILITY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ah", "volts", "reason"),
    [(None, "3.7", NO_AH), ("60", None, NO_VOLTAGE), (None, None, NO_AH)],
)
def test_cells_without_the_cells_ah_or_voltage_are_listed_not_guessed(ah, volts, reason):
    cell_plant("Plant A", ah=ah, volts=volts, **cells())
    pipe = Pipeline(AsOf(date.today()))
    assert [(u.name, u.gwh, u.reason) for u in pipe.not_convertible()] == [
        ("Plant A", None, reason)
    ]
    assert pipe.converted() == [] and pipe.table()[0].total == 0


@pytest.mark.django_db
def test_a_milestone_in_cells_away_from_any_facility_has_no_voltage():
    capacity("500000", CapacityUnit.CELLS_PER_YEAR, title="Cells", cell_ah=Decimal("60"))
    assert units()["Cells"].reason == NO_VOLTAGE


@pytest.mark.django_db
def test_a_cell_plants_tonnes_stay_tonnes():
    cell_plant("Electrolyte plant", **cells("30", CapacityUnit.TONNES_PER_YEAR))
    (unit,) = Pipeline(AsOf(date.today())).not_convertible()
    assert (unit.name, unit.reason) == ("Electrolyte plant", TONNES)


@pytest.mark.django_db
def test_converted_cells_add_to_the_table_and_are_listed_with_their_figures(client):
    cell_plant("Plant A", **cells())
    capacity("2", title="Line 1", target="2027")
    pipe = Pipeline(AsOf(date.today()))
    assert [u.name for u in pipe.converted()] == ["Plant A"]
    assert sum(r.total for r in pipe.table()) == Decimal("2.111")
    page = client.get("/pipeline/").content.decode()
    assert "Capacity converted from cells (1)" in page
    row = page.split("<caption>Capacity converted from cells to GWh a year, and from what")[1]
    row = row.split("</tbody>")[0]
    assert ">Plant A</a> (facility)</th>" in row
    assert '<td class="num">500,000 cells/yr</td>' in row
    assert '60 Ah <span class="muted">(facility)</span>' in row
    assert '3.7 V <span class="muted">(facility)</span>' in row
    assert '<td class="num">0.111</td>' in row


@pytest.mark.django_db
def test_api_lists_the_converted_cells_with_their_figures(client):
    from tests.test_api import conforms

    cell_plant("Plant A", **cells("300", CapacityUnit.CELLS_PER_WEEK))
    response = client.get("/api/pipeline")
    conforms(client.get("/api/openapi.json").json(), "/api/pipeline", response)
    data = response.json()
    (converted,) = data["converted"]
    assert {k: converted[k] for k in ("name", "value", "unit", "cell_ah", "cell_ah_from")} == {
        "name": "Plant A",
        "value": 300.0,
        "unit": "cells_per_week",
        "cell_ah": 60.0,
        "cell_ah_from": "facility",
    }
    assert (converted["cell_nominal_voltage"], converted["gwh_per_year"]) == (3.7, 0.0034632)


# -- the demo ---------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    from claims.services import load_demo_data

    load_demo_data()


def test_the_demos_chengdu_bases_show_with_their_capacities(client, demo):
    found = units(date.today())
    eve = found["Phase 2 of the Chengdu base delivers 100 MWh a year"]
    assert (eve.gwh, eve.stage, eve.year) == (Decimal("0.1"), CONSTRUCTION, 2026)
    qingtao = found["Southwest Industrial Base fully completed and in operation, 15 GWh a year"]
    assert (qingtao.gwh, qingtao.stage, qingtao.year) == (Decimal("15"), CONSTRUCTION, 2028)
    # The EVE base's own 500,000 cells a year is its phases' capacity: not counted again.
    assert "Chengdu mass-production base, EVE Solid-State Battery Research Institute" not in found
    # Murata's 1.2 million cells a year: its cell's voltage is known, not one Ah: not guessed.
    yasu = found["Yasu plant (surface-mount all-solid-state batteries)"]
    assert (yasu.gwh, yasu.reason, yasu.voltage) == (None, NO_AH, Decimal("3.8"))
    page = client.get("/pipeline/?group=company&country=CN")
    assert page.status_code == 200
    assert b"EVE Energy" in page.content and b"Qingtao Energy" in page.content
    assert b"0.1 GWh/yr" in page.content and b"15 GWh/yr" in page.content


# -- the page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_shows_the_chart_with_its_table_and_the_model(client):
    capacity("2", title="Line 1", target="2027")
    page = client.get("/pipeline/")
    assert page.status_code == 200
    content = page.content.decode()
    assert '<title id="pipeline-title">' in content and "<desc" in content
    assert "2027, planned: 2 GWh/yr" in content
    assert "<caption>Capacity in GWh a year by year and stage" in content
    assert "How the pipeline is counted" in content


@pytest.mark.django_db
def test_csv_holds_the_table(client):
    capacity("2", title="Line 1", target="2027")
    capacity("250", CapacityUnit.MWH_PER_YEAR, title="Line 2", target="2027")
    capacity("30", CapacityUnit.TONNES_PER_YEAR, title="Electrolyte", target="2028")
    response = client.get("/pipeline/?format=csv&group=year&as_of=2026-06-01")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("year,operating_gwh_per_year,construction_gwh_per_year")
    assert lines[1] == "2027,0,0,2.250,0,2.250,0,2026-06-01"
    assert lines[2] == "2028,0,0,0,0,0,1,2026-06-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "group=nonsense",
        "country=XX",
        "technology=plutonium",
        "as_of=yesterday",
        "company=" + "x" * 500,
    ],
)
def test_bad_parameters_give_a_message_not_an_error(client, query):
    capacity("2", title="Line 1")
    response = client.get("/pipeline/?" + query)
    assert response.status_code == 200
    assert b'class="notice" role="alert"' in response.content


@pytest.mark.django_db
def test_htmx_request_renders_only_the_results(client):
    response = client.get("/pipeline/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.content


def build(n):
    for i in range(n):
        plant = FacilityFactory(status=Facility.Status.CONSTRUCTION)
        milestone = capacity(str(i + 1), title=f"Line {i}", company=plant.company, facility=plant)
        if i % 2:
            achieve(milestone)
        FacilityFactory(capacity_value=Decimal("1"), capacity_unit=CapacityUnit.GWH_PER_YEAR)
        cell_plant(f"Cell plant {i}", **cells())


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_data(client):
    counts = []
    for n in (2, 20):
        build(n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/pipeline/?group=company&country=CN").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12, counts


@pytest.mark.django_db
def test_a_facilitys_own_capacity_is_not_in_views_before_its_source_was_published():
    from tests.factories import SourceFactory

    FacilityFactory(
        name="Plant A",
        capacity_value=Decimal("8"),
        capacity_unit=CapacityUnit.GWH_PER_YEAR,
        status=Facility.Status.OPERATING,
        source=SourceFactory(published_on=date(2026, 3, 1)),
    )
    assert "Plant A" not in units(date(2026, 2, 1))
    assert units(DAY)["Plant A"].stage == PLANNED  # today's status, not applied in the past


# -- the API ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_returns_the_table_and_what_was_not_converted(client):
    capacity("2", title="Line 1", target="2027")
    capacity("30", CapacityUnit.TONNES_PER_YEAR, title="Electrolyte", target="2027")
    data = client.get("/api/pipeline?group=country&as_of=2026-06-01").json()
    assert data["group"] == "country" and data["as_of"] == "2026-06-01"
    assert data["rows"] == [
        {
            "key": "China",
            "operating": 0.0,
            "construction": 0.0,
            "planned": 2.0,
            "cancelled": 0.0,
            "total": 2.0,
            "not_convertible": 1,
        }
    ]
    assert [(u["name"], u["reason"]) for u in data["not_convertible"]] == [("Electrolyte", TONNES)]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["group=nonsense", "country=XX", "technology=plutonium"])
def test_api_answers_bad_parameters_with_400(client, query):
    assert client.get("/api/pipeline?" + query).status_code == 400


@pytest.mark.django_db
def test_page_shows_the_largest_rows_and_the_csv_has_them_all(client, monkeypatch):
    from claims.views import pipeline as view

    monkeypatch.setattr(view, "TABLE_ROWS", 2)
    for i in range(3):
        capacity(str(i + 1), title=f"Line {i}", company=CompanyFactory(name=f"Maker {i}"))
    page = client.get("/pipeline/?group=company").content.decode()
    assert "Maker 2" in page and "Maker 1" in page
    in_table = '<th scope="row">Maker {}</th><td class="num"><span class="muted">0</span>'
    assert in_table.format(2) in page and in_table.format(0) not in page
    assert "the first 2 shown; the CSV has them all" in page
    csv = b"".join(client.get("/pipeline/?group=company&format=csv").streaming_content)
    assert csv.count(b"\n") == 4
