"""Shared pieces of the records: validators, date precision, versions."""

from __future__ import annotations

from datetime import date

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from claims.dates import (
    date_end,
    format_partial_date,
    parse_partial_date,
    partial_date_text,
)

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens, e.g. eve-energy.",
)
currency_validator = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code in capitals, e.g. CNY or USD."
)
NON_NEGATIVE = [MinValueValidator(0)]


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    HALF = "half", "Half-year"
    YEAR = "year", "Year"


def format_date(value: date | None, precision: str = DatePrecision.DAY) -> str:
    """A date shown no more precisely than it is known: "2 Sep 2025", "Jun 2019", "2019"."""
    return format_partial_date(value, precision)


class CapacityUnit(models.TextChoices):
    GWH_PER_YEAR = "gwh_per_year", "GWh/yr"
    MWH_PER_YEAR = "mwh_per_year", "MWh/yr"
    CELLS_PER_YEAR = "cells_per_year", "cells/yr"
    CELLS_PER_WEEK = "cells_per_week", "cells/week"
    TONNES_PER_YEAR = "tonnes_per_year", "t/yr"


def format_quantity(value, unit_label: str) -> str:
    if value is None:
        return ""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{text} {unit_label}".strip()


NATIVE_LANGUAGES = {"CN": "zh", "TW": "zh", "HK": "zh", "JP": "ja", "KR": "ko", "DE": "de"}


class Versioned(models.Model):
    """Optimistic concurrency: every save bumps `version`, so an editor's form that was
    opened on an older version can be refused instead of silently overwriting."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def partial_date_bounds(value: date | None, precision: str) -> tuple[date | None, date | None]:
    """(first day, last day) of a date known to `precision`, its first day snapped to the
    start of its period: what a partial date's two stored columns hold."""
    if value is None:
        return None, None
    if isinstance(value, str):  # as a restore or a deserialiser gives it
        value = date.fromisoformat(value)
    start, _ = parse_partial_date(partial_date_text(value, precision))
    return start, date_end(start, precision)
