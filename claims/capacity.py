"""Capacity in GWh a year: the one conversion, in Python and in SQL.

    to_gwh(value, unit, cell_ah=..., voltage=...)   # (GWh/yr or None, why not)
    gwh_expression()                                 # the same, as a facility's annotation

GWh/yr as stated; MWh/yr / 1,000; cells a year (cells a week x 52) x the cell's Ah x its
nominal voltage / 1e9, when both are recorded. Tonnes a year (of a material) and cells
without both figures are not converted: nothing is guessed.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Value, When

from claims.models.base import CapacityUnit

CELLS_PER_WEEK_TO_YEAR = 52
CELL_UNITS = (CapacityUnit.CELLS_PER_YEAR, CapacityUnit.CELLS_PER_WEEK)
#: Units converted without a cell's figures, and how many of each make a GWh/yr.
PER_GWH = {CapacityUnit.GWH_PER_YEAR: 1, CapacityUnit.MWH_PER_YEAR: 1000}
#: Cells a year make a GWh/yr at this many Ah x V (Wh) each.
WH_PER_GWH = 10**9
#: Why a capacity was not converted.
NO_AH = "cells: the cell's Ah is not recorded"
NO_VOLTAGE = "cells: the nominal voltage of the facility's cell is not recorded"
TONNES = "tonnes a year: a mass of material, not cell capacity"
UNKNOWN_UNIT = "unit not known"


def to_gwh(
    value: Decimal | None,
    unit: str,
    *,
    cell_ah: Decimal | None = None,
    voltage: Decimal | None = None,
) -> tuple[Decimal | None, str]:
    """A capacity in GWh a year, or None and the reason it cannot be converted."""
    if value is None:
        return None, UNKNOWN_UNIT
    value = Decimal(value)
    if unit in PER_GWH:
        return value / PER_GWH[unit], ""
    if unit in CELL_UNITS:
        if cell_ah is None:
            return None, NO_AH
        if voltage is None:
            return None, NO_VOLTAGE
        cells = value * (CELLS_PER_WEEK_TO_YEAR if unit == CapacityUnit.CELLS_PER_WEEK else 1)
        return cells * Decimal(cell_ah) * Decimal(voltage) / WH_PER_GWH, ""
    if unit == CapacityUnit.TONNES_PER_YEAR:
        return None, TONNES
    return None, UNKNOWN_UNIT


def facility_gwh(facility) -> Decimal | None:
    """A facility's planned capacity in GWh a year, with the cell made there."""
    return to_gwh(
        facility.capacity_value,
        facility.capacity_unit,
        cell_ah=facility.cell_ah,
        voltage=facility.cell_nominal_voltage,
    )[0]


def gwh_expression() -> Case:
    """A facility's planned capacity in GWh a year, in SQL: null where to_gwh() gives None
    (a product with a missing Ah or voltage is null)."""
    output = DecimalField(max_digits=30, decimal_places=9)

    def value(number) -> Value:
        return Value(Decimal(number), output_field=output)

    def converted(divisor, *, times=1, cell=False):
        product = F("capacity_value") * value(times)
        if cell:
            product = product * F("cell_ah") * F("cell_nominal_voltage")
        return ExpressionWrapper(product / value(divisor), output_field=output)

    return Case(
        *[When(capacity_unit=unit, then=converted(n)) for unit, n in PER_GWH.items()],
        When(capacity_unit=CapacityUnit.CELLS_PER_YEAR, then=converted(WH_PER_GWH, cell=True)),
        When(
            capacity_unit=CapacityUnit.CELLS_PER_WEEK,
            then=converted(WH_PER_GWH, times=CELLS_PER_WEEK_TO_YEAR, cell=True),
        ),
        default=Value(None, output_field=output),
        output_field=output,
    )
