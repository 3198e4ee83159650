"""Sites of companies."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from claims.models.base import (
    NON_NEGATIVE,
    CapacityUnit,
    Versioned,
    currency_validator,
    format_quantity,
    slug_validator,
)
from claims.models.company import Company, Technology
from claims.models.source import Source


class Facility(Versioned):
    class Kind(models.TextChoices):
        PILOT_LINE = "pilot_line", "Pilot line"
        MASS_PRODUCTION = "mass_production", "Mass-production base"
        INDUSTRIAL_BASE = "industrial_base", "Industrial base"
        RD_CENTRE = "rd_centre", "R&D centre"

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        PRE_CONSTRUCTION = "pre_construction", "Pre-construction"
        CONSTRUCTION = "construction", "Under construction"
        PILOT_OPERATION = "pilot_operation", "Pilot operation"
        OPERATING = "operating", "Operating"
        SHELVED = "shelved", "Shelved"
        CANCELLED = "cancelled", "Cancelled"

    class Accuracy(models.TextChoices):
        EXACT = "exact", "Exact"
        APPROXIMATE = "approximate", "Approximate"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="facilities")
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True, validators=[slug_validator])
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ANNOUNCED)
    country = CountryField()
    province = models.CharField("province / state", max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    district = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    location_accuracy = models.CharField(max_length=20, choices=Accuracy.choices, blank=True)
    technology = models.ForeignKey(
        Technology, on_delete=models.PROTECT, null=True, blank=True, related_name="facilities"
    )
    cell_format = models.CharField(max_length=100, blank=True)
    cell_ah = models.DecimalField(
        "cell capacity (Ah)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="The capacity of the cell made there, when its source gives one cell.",
    )
    cell_nominal_voltage = models.DecimalField(
        "cell nominal voltage (V)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="The nominal voltage of the cell made there. With its Ah, a capacity in cells "
        "converts to GWh a year.",
    )
    capacity_value = models.DecimalField(
        "planned capacity",
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    capacity_unit = models.CharField(max_length=20, choices=CapacityUnit.choices, blank=True)
    investment_amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    investment_currency = models.CharField(
        max_length=3, blank=True, validators=[currency_validator]
    )
    description = models.TextField(blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        help_text="Where the facility's profile facts come from.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["company__name", "name"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_value__isnull=True) | Q(capacity_value__gte=0),
                name="facility_capacity_non_negative",
                violation_error_message="Planned capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(capacity_value__isnull=True, capacity_unit="")
                | Q(capacity_value__isnull=False) & ~Q(capacity_unit=""),
                name="facility_capacity_has_unit",
                violation_error_message="Give the planned capacity and its unit together.",
            ),
            models.CheckConstraint(
                condition=Q(cell_ah__isnull=True) | Q(cell_ah__gte=0),
                name="facility_cell_ah_non_negative",
                violation_error_message="Cell capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(cell_nominal_voltage__isnull=True) | Q(cell_nominal_voltage__gte=0),
                name="facility_cell_voltage_non_negative",
                violation_error_message="Cell nominal voltage cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(investment_amount__isnull=True) | Q(investment_amount__gte=0),
                name="facility_investment_non_negative",
                violation_error_message="Investment cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(investment_amount__isnull=True, investment_currency="")
                | Q(investment_amount__isnull=False) & ~Q(investment_currency=""),
                name="facility_investment_has_currency",
                violation_error_message="Give the investment amount and its currency together.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True, location_accuracy="")
                | Q(latitude__isnull=False, longitude__isnull=False) & ~Q(location_accuracy=""),
                name="facility_coordinates_complete",
                violation_error_message="Give latitude, longitude and their accuracy together, or none of them.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="facility_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="facility_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
        ]
        indexes = [
            # The facility index in its default order (by name), of a country or of all: a
            # page of fifty is read in index order, testing only those rows for the day.
            models.Index("country", Lower("name"), "id", name="facility_country_name_idx"),
            models.Index(Lower("name"), "id", name="facility_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("claims:facility_detail", args=[self.slug])

    @property
    def location_label(self) -> str:
        parts = [self.address, self.district, self.city, self.province, self.country.name]
        return ", ".join(p for p in parts if p)

    @property
    def capacity_label(self) -> str:
        return format_quantity(self.capacity_value, self.get_capacity_unit_display())

    def clean(self) -> None:
        errors = {}
        if not self.country:
            # Not tied to the field: a form without a country field must refuse too.
            errors[NON_FIELD_ERRORS] = (
                "Give the facility's country: its milestones are placed where it is."
            )
        if (self.capacity_value is None) != (not self.capacity_unit):
            errors["capacity_unit"] = "Give the planned capacity and its unit together."
        if (self.investment_amount is None) != (not self.investment_currency):
            errors["investment_currency"] = "Give the investment amount and its currency together."
        has_lat, has_lng = self.latitude is not None, self.longitude is not None
        if has_lat != has_lng:
            errors["longitude"] = "Give both latitude and longitude, or neither."
        elif has_lat and not self.location_accuracy:
            errors["location_accuracy"] = "Say whether the coordinates are exact or approximate."
        elif not has_lat and self.location_accuracy:
            errors["location_accuracy"] = "Accuracy only applies when coordinates are given."
        if errors:
            raise ValidationError(errors)
