"""Milestones: one thing a company said would happen or did happen."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from claims.models.base import (
    NON_NEGATIVE,
    CapacityUnit,
    Versioned,
    format_quantity,
    slug_validator,
)
from claims.models.company import Company, Technology
from claims.models.facility import Facility
from claims.querysets import (
    MilestoneQuerySet,
)


class Milestone(Versioned):
    """One thing a company said would happen or did happen."""

    class Kind(models.TextChoices):
        PRODUCTION_START = "production_start", "Production start"
        CAPACITY_PHASE = "capacity_phase", "Capacity phase reached"
        PRODUCT_LINE_OFF = "product_line_off", "Product line-off"
        SAMPLE_DELIVERY = "sample_delivery", "Sample delivery"
        VEHICLE_INSTALLATION = "vehicle_installation", "Vehicle installation"
        COMMERCIALISATION = "commercialisation", "Commercialisation"
        CONSTRUCTION_START = "construction_start", "Construction start"
        LICENSING = "licensing", "Licensing"
        INVESTMENT = "investment", "Investment decision or funding"
        EXIT = "exit", "Exit"
        OTHER = "other", "Other"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="milestones")
    facility = models.ForeignKey(
        Facility, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    partners = models.ManyToManyField(
        Company,
        blank=True,
        related_name="partnered_milestones",
        help_text="Other companies named on the milestone (a line built by one company for "
        "another): their statements count as the milestone's own, and it shows on their pages.",
    )
    #: Where it happens: the facility's country, else the company's (kept by save() and by
    #: claims.signals when a facility or company moves).
    country = CountryField(editable=False, blank=True)
    slug = models.SlugField(max_length=120, unique=True, validators=[slug_validator])
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField(blank=True)
    technology = models.ForeignKey(
        Technology, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones"
    )
    capacity_value = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True, validators=NON_NEGATIVE
    )
    capacity_unit = models.CharField(max_length=20, choices=CapacityUnit.choices, blank=True)
    energy_density_wh_kg = models.DecimalField(
        "energy density (Wh/kg)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    energy_density_wh_l = models.DecimalField(
        "energy density (Wh/L)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    cell_ah = models.DecimalField(
        "cell capacity (Ah)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    cycle_life = models.PositiveIntegerField(
        "cycle life (cycles)",
        null=True,
        blank=True,
        help_text="Charge-discharge cycles the cell is said to last, as the source gives them.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[partners])
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["company__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_value__isnull=True) | Q(capacity_value__gte=0),
                name="milestone_capacity_non_negative",
                violation_error_message="Capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(capacity_value__isnull=True, capacity_unit="")
                | Q(capacity_value__isnull=False) & ~Q(capacity_unit=""),
                name="milestone_capacity_has_unit",
                violation_error_message="Give the capacity and its unit together.",
            ),
            models.CheckConstraint(
                condition=Q(energy_density_wh_kg__isnull=True) | Q(energy_density_wh_kg__gte=0),
                name="milestone_wh_kg_non_negative",
                violation_error_message="Energy density cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(energy_density_wh_l__isnull=True) | Q(energy_density_wh_l__gte=0),
                name="milestone_wh_l_non_negative",
                violation_error_message="Energy density cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(cell_ah__isnull=True) | Q(cell_ah__gte=0),
                name="milestone_cell_ah_non_negative",
                violation_error_message="Cell capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(cycle_life__isnull=True) | Q(cycle_life__gte=0),
                name="milestone_cycle_life_non_negative",
                violation_error_message="Cycle life cannot be negative.",
            ),
        ]
        indexes = [
            # /milestones/?kind=...
            models.Index(fields=["kind"], name="milestone_kind_idx"),
            # /milestones/?country=CN, the country pages and their track records.
            models.Index(fields=["country"], name="milestone_country_idx"),
        ]

    def __str__(self) -> str:
        """Company, title and site in full: the admin's milestone choices tell two milestones
        at one plant apart (querysets that list them select company and facility)."""
        label = f"{self.company}: {self.title}"
        if self.facility_id:
            label += f" — {self.facility.name}"
        return label

    def save(self, *args, **kwargs):
        self.country = self.site_country()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "country"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("claims:milestone_detail", args=[self.pk])

    @property
    def capacity_label(self) -> str:
        return format_quantity(self.capacity_value, self.get_capacity_unit_display())

    def site_country(self) -> str:
        """The facility's country when the milestone is at one, else the company's."""
        if self.facility_id:
            return self.facility.country.code
        return self.company.country.code if self.company_id else ""

    def clean(self) -> None:
        errors = {}
        if self.facility_id and self.company_id and self.facility.company_id != self.company_id:
            errors["facility"] = (
                f"{self.facility} belongs to {self.facility.company}, not to this milestone's "
                "company."
            )
        if (self.capacity_value is None) != (not self.capacity_unit):
            errors["capacity_unit"] = "Give the capacity and its unit together."
        if errors:
            raise ValidationError(errors)

    def derived_status(self, as_of: date | None = None):
        """The derived status as of a date, from this milestone's (prefetched) claims."""
        from claims.status import derive_status

        return derive_status(self.claims.all(), as_of or date.today())
