"""Companies, their technology routes and the relations between them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from claims.models.base import (
    NATIVE_LANGUAGES,
    Versioned,
    slug_validator,
)
from claims.models.source import Source
from claims.querysets import (
    CompanyQuerySet,
    CompanyRelationQuerySet,
)


class Technology(models.Model):
    """A solid-state battery technology route: sulfide, oxide, polymer, halide, semi-solid."""

    slug = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"

    def __str__(self) -> str:
        return self.name


class Company(Versioned):
    class Role(models.TextChoices):
        CELL_MAKER = "cell_maker", "Cell maker"
        MATERIALS_SUPPLIER = "materials_supplier", "Materials supplier"
        EQUIPMENT_SUPPLIER = "equipment_supplier", "Equipment supplier"
        AUTOMAKER = "automaker", "Automaker"
        RESEARCH_INSTITUTE = "research_institute", "Research institute"
        GOVERNMENT = "government", "Government body"
        INVESTOR = "investor", "Investor"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    native_name = models.CharField(
        max_length=200, blank=True, help_text="Name in its native script, e.g. 亿纬锂能."
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other names readers may search for, one per line (e.g. Weilan New Energy).",
    )
    slug = models.SlugField(max_length=100, unique=True, validators=[slug_validator])
    country = CountryField()
    role = models.CharField(max_length=30, choices=Role.choices)
    technologies = models.ManyToManyField(Technology, blank=True, related_name="companies")
    hq_city = models.CharField("HQ city", max_length=100, blank=True)
    website = models.URLField(blank=True, max_length=500)
    tickers = models.CharField(
        max_length=200, blank=True, help_text='Stock tickers, separated by "; ", e.g. 300014.SZ.'
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        "fiscal year starts in month",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="For a company that states targets in fiscal years: the month its fiscal year "
        "starts (4 for April–March). Leave empty for calendar years; an “FY” target is then "
        "refused.",
    )
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[technologies])
    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__isnull=True)
                | Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="company_fiscal_month_valid",
                violation_error_message="A fiscal year starts in a month from 1 to 12.",
            ),
        ]
        indexes = [
            # /companies/?country=CN and the per-country pages.
            models.Index(fields=["country", "name"], name="company_country_name_idx"),
            # /companies/?role=...
            models.Index(fields=["role"], name="company_role_idx"),
            # Lists in company order: /api/milestones, /milestones/?sort=company, /companies/.
            models.Index(fields=["name"], name="company_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("claims:company_detail", args=[self.slug])

    @property
    def native_lang(self) -> str:
        """The language of the native-script name, for the lang attribute."""
        return NATIVE_LANGUAGES.get(self.country.code, "")

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def names(self) -> list[str]:
        """Every name the company goes by: its name, native name and aliases (COMPANY_NAMES)."""
        return [n for n in (self.name, self.native_name, *self.alias_list) if n]

    @property
    def ticker_list(self) -> list[str]:
        return [t.strip() for t in self.tickers.split(";") if t.strip()]


class CompanyRelation(Versioned):
    """<from_company> is <kind> of <to_company>: Lead Intelligent is supplier of EVE Energy."""

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", "supplier"
        CUSTOMER = "customer", "customer"
        INVESTOR = "investor", "investor"
        LICENSEE = "licensee", "licensee"
        PARTNER = "partner", "partner"
        PARENT = "parent", "parent"
        SUBSIDIARY = "subsidiary", "subsidiary"

    from_company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="relations_from"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to_company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="relations_to")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="relations")
    note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = CompanyRelationQuerySet.as_manager()

    class Meta:
        ordering = ["from_company__name", "kind", "to_company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_company", "kind", "to_company"],
                name="relation_unique",
                violation_error_message="This relation between these two companies is already recorded.",
            ),
            models.CheckConstraint(
                condition=~Q(from_company=models.F("to_company")),
                name="relation_not_to_itself",
                violation_error_message="A company cannot be related to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_company} is {self.get_kind_display()} of {self.to_company}"

    def clean(self) -> None:
        if self.from_company_id and self.from_company_id == self.to_company_id:
            raise ValidationError({"to_company": "A company cannot be related to itself."})
