"""The claims data model: who said what would happen, by when, in which source.

Claims are the history; a milestone's current target and status are derived from them
(see claims/status.py).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from claims.dates import (
    date_end,
    datetime_attr,
    format_partial_date,
    parse_partial_date,
    partial_date_text,
)
from claims.periods import PRECISION_CHOICES, PeriodError, format_period, parse_period
from claims.querysets import (
    ClaimQuerySet,
    CompanyQuerySet,
    CompanyRelationQuerySet,
    MilestoneQuerySet,
    SourceQuerySet,
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


@lru_cache(maxsize=64)
def _path_pattern(name: str, prefix: str, urlconf) -> str:
    return reverse(name, args=["0"]).replace("/0/", "/{}/")


def page_path(name: str, key) -> str:
    """reverse(name, args=[key]) for a page named by one slug or id, from a pattern made
    once per URL prefix: list pages link hundreds of rows, and reverse() costs tens of
    microseconds each. Slugs and ids need no quoting in a path."""
    return _path_pattern(name, get_script_prefix(), get_urlconf()).format(key)


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
        return page_path("claims:company_detail", self.slug)

    @property
    def native_lang(self) -> str:
        """The language of the native-script name, for the lang attribute."""
        return NATIVE_LANGUAGES.get(self.country.code, "")

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def ticker_list(self) -> list[str]:
        return [t.strip() for t in self.tickers.split(";") if t.strip()]


class Source(Versioned):
    class Kind(models.TextChoices):
        NEWS = "news", "News report"
        COMPANY_RELEASE = "company_release", "Company release"
        REGULATORY_FILING = "regulatory_filing", "Regulatory filing"
        GOVERNMENT_NOTICE = "government_notice", "Government notice"
        INTERVIEW = "interview", "Interview"
        SITE_VISIT = "site_visit", "Site visit"

    url = models.URLField(
        "URL",
        max_length=1000,
        blank=True,
        help_text="Leave empty only for a source without a page of its own, reported via another.",
    )
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.NEWS)
    published_on = models.DateField(
        help_text="As precisely as the source gives it: 2025-11-03, 2025-11, 2025-Q4, 2025."
    )
    published_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    #: The last day the publication date could be (derived from published_on and precision).
    published_on_latest = models.DateField(editable=False, null=True)
    language = models.CharField(
        max_length=8, default="en", help_text="ISO 639-1 code: en, zh, ja, de, ko."
    )
    via = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported",
        help_text="The source that reported this one, e.g. a WeChat post via a news article.",
    )
    archive_url = models.URLField("archive URL", max_length=1000, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message="Another source already has this URL: cite that one instead.",
            ),
            models.CheckConstraint(
                condition=~Q(url="") | Q(via__isnull=False),
                name="source_has_url_or_via",
                violation_error_message="Give the source's URL, or the source it was reported via.",
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_is_http",
                violation_error_message="A source URL must start with http:// or https://.",
            ),
            models.CheckConstraint(
                condition=~Q(via=models.F("pk")),
                name="source_not_via_itself",
                violation_error_message="A source cannot be reported via itself.",
            ),
        ]
        indexes = [
            # /sources/ ordered by date, filtered by publisher and kind.
            models.Index(fields=["publisher", "-published_on"], name="source_publisher_idx"),
            models.Index(fields=["kind", "-published_on"], name="source_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title} ({self.published_label})"

    def save(self, *args, **kwargs):
        self.fill_date_bounds()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return page_path("claims:source_detail", self.pk)

    def fill_date_bounds(self) -> None:
        """Snap the publication date to the start of its period and derive its last day
        (writers that bypass save(), such as bulk imports, call it themselves)."""
        self.published_on, self.published_on_latest = partial_date_bounds(
            self.published_on, self.published_on_precision
        )

    @property
    def published_label(self) -> str:
        return format_date(self.published_on, self.published_on_precision)

    @property
    def published_datetime(self) -> str:
        """The <time datetime> value, no more precise than the date is known."""
        return datetime_attr(self.published_on, self.published_on_latest or self.published_on)

    def clean(self) -> None:
        errors = {}
        if self.url and not self.url.startswith(("http://", "https://")):
            errors["url"] = "A source URL must start with http:// or https://."
        if self.url and Source.objects.filter(url=self.url).exclude(pk=self.pk).exists():
            errors["url"] = "Another source already has this URL: cite that one instead."
        if not self.url and not self.via_id:
            errors["url"] = (
                "Give the source's URL, or choose the source it was reported via "
                "(for a post or call known only through an article)."
            )
        if self.pk and self.via_id == self.pk:
            errors["via"] = "A source cannot be reported via itself."
        if self.accessed_on and self.published_on and self.accessed_on < self.published_on:
            errors["accessed_on"] = "A source cannot be accessed before it was published."
        if errors:
            raise ValidationError(errors)


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
            # Facilities of a country, and the country pages.
            models.Index(fields=["country"], name="facility_country_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_path("claims:facility_detail", self.slug)

    @property
    def location_label(self) -> str:
        parts = [self.address, self.district, self.city, self.province, self.country.name]
        return ", ".join(p for p in parts if p)

    @property
    def capacity_label(self) -> str:
        return format_quantity(self.capacity_value, self.get_capacity_unit_display())

    def clean(self) -> None:
        errors = {}
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
        ]
        indexes = [
            # /milestones/?kind=...
            models.Index(fields=["kind"], name="milestone_kind_idx"),
            # /milestones/?country=CN, the country pages and their track records.
            models.Index(fields=["country"], name="milestone_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.title}"

    def save(self, *args, **kwargs):
        self.country = self.site_country()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "country"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return page_path("claims:milestone_detail", self.pk)

    @property
    def capacity_label(self) -> str:
        return format_quantity(self.capacity_value, self.get_capacity_unit_display())

    def site_country(self) -> str:
        """The facility's country when the milestone is at one, else the company's."""
        if self.facility_id:
            return self.facility.country.code
        return self.company.country.code if self.company_id else ""

    def get_kind_display(self) -> str:
        # Django's own looks the value up through every choice each call; lists call it per row.
        return MILESTONE_KIND_LABELS.get(self.kind, self.kind)

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


class Claim(Versioned):
    """A dated statement about a milestone, by someone, in a source."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", "Announcement"
        REAFFIRMATION = "reaffirmation", "Reaffirmation"
        REVISION = "revision", "Revision of the target"
        ACHIEVEMENT = "achievement", "Achievement report"
        CLARIFICATION = "clarification", "Clarification or denial"
        CANCELLATION = "cancellation", "Cancellation or strategy change"
        VIEW = "view", "Third party's view or doubt"

    class Standing(models.TextChoices):
        COMPANY = "company", "The company (statement, filing, executive)"
        PARTNER = "partner", "A partner or customer named on the milestone"
        GOVERNMENT = "government", "Government body"
        THIRD_PARTY = "third_party", "Third party (analyst, association, media, expert)"

    class Evidence(models.IntegerChoices):
        # Ordered: a higher number is stronger evidence.
        COMPANY_STATEMENT = 1, "Company statement"
        THIRD_PARTY_REPORT = 2, "Third-party report"
        OFFICIAL_RECORD = 3, "Official record (filing, permit, registry)"
        INDEPENDENT_OBSERVATION = 4, "Independent observation (site visit, teardown)"

    TARGET_KINDS = (Kind.ANNOUNCEMENT, Kind.REAFFIRMATION, Kind.REVISION)
    #: Kinds only the milestone's own parties (its company and partners) may state.
    PARTY_KINDS = (*TARGET_KINDS, Kind.CANCELLATION, Kind.CLARIFICATION)
    PARTY_STANDINGS = (Standing.COMPANY, Standing.PARTNER)

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    stated_on = models.DateField(
        help_text="When it was said, as precisely as the source gives it: 2025-09-02, 2025-09, "
        "2025-Q3, 2025."
    )
    stated_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    #: The last day it could have been said: a claim counts as known from then on.
    stated_on_latest = models.DateField(editable=False, null=True)
    speaker = models.CharField(
        max_length=200, blank=True, help_text='Who said it, e.g. "Liu Jincheng, chairman".'
    )
    standing = models.CharField(
        "speaker's standing",
        max_length=20,
        choices=Standing.choices,
        default=Standing.COMPANY,
        help_text="Only the company and partners named on the milestone set, revise or cancel "
        "its targets; anyone may report an achievement; others' opinions are views.",
    )
    target_text = models.CharField(
        "target as stated",
        max_length=100,
        blank=True,
        help_text='The target in the speaker\'s words: "by December 2025", "H2 2026", "2027–28", '
        '"FY2028", "mid-2020s", "after 2030", "not stated".',
    )
    target_earliest = models.DateField(null=True, blank=True, editable=False)
    target_latest = models.DateField(null=True, blank=True, editable=False)
    target_precision = models.CharField(
        max_length=10, choices=PRECISION_CHOICES, default="none", editable=False
    )
    achieved_on = models.DateField(
        null=True,
        blank=True,
        help_text="For an achievement report: when it happened, as precisely as the source says.",
    )
    achieved_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    achieved_on_latest = models.DateField(editable=False, null=True)
    evidence = models.PositiveSmallIntegerField(
        choices=Evidence.choices, null=True, blank=True, help_text="For an achievement report."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(blank=True, help_text="A short excerpt from the source.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["stated_on_latest", "stated_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "source", "kind", "stated_on"],
                name="claim_unique_statement",
                violation_error_message="This milestone already has a claim of this kind from this source on this date.",
            ),
            models.CheckConstraint(
                condition=Q(target_earliest__isnull=True)
                | Q(target_latest__isnull=True)
                | Q(target_earliest__lte=models.F("target_latest")),
                name="claim_target_ordered",
                violation_error_message="The target period ends before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="achievement")
                | Q(achieved_on__isnull=False, evidence__isnull=False),
                name="claim_achievement_dated",
                violation_error_message="An achievement report needs the date it happened and an evidence level.",
            ),
            models.CheckConstraint(
                condition=Q(kind="achievement")
                | Q(achieved_on__isnull=True, evidence__isnull=True),
                name="claim_achieved_on_only_for_achievement",
                violation_error_message="Only an achievement report has a date achieved and an evidence level.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["announcement", "reaffirmation", "revision", "view"])
                | Q(target_text="", target_precision="none"),
                name="claim_target_only_for_target_kinds",
                violation_error_message="Only announcements, reaffirmations, revisions and views carry a target.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    kind__in=[
                        "announcement",
                        "reaffirmation",
                        "revision",
                        "cancellation",
                        "clarification",
                    ]
                )
                | Q(standing__in=["company", "partner"]),
                name="claim_targets_by_parties",
                violation_error_message="Only the milestone's own company or partners announce, revise, clarify or cancel its targets: record what others say as a view.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="view") | Q(standing__in=["government", "third_party"]),
                name="claim_view_by_others",
                violation_error_message="A view is a third party's or a government's: the company's own statements are announcements, revisions or clarifications.",
            ),
            models.CheckConstraint(
                condition=Q(evidence__isnull=True) | Q(evidence__gte=1, evidence__lte=4),
                name="claim_evidence_level_valid",
                violation_error_message="Choose an evidence level from the list.",
            ),
        ]
        indexes = [
            # Status as of a date (MilestoneQuerySet.with_status) reads a milestone's claims
            # stated on or before it, latest or earliest first: one index probe per subquery,
            # answered from the index alone on PostgreSQL (the columns the status reads).
            models.Index(
                fields=["milestone", "stated_on_latest", "stated_on", "id"],
                include=[
                    "kind",
                    "standing",
                    "target_precision",
                    "target_latest",
                    "target_earliest",
                    "target_text",
                    "achieved_on",
                    "achieved_on_latest",
                ],
                name="claim_known_idx",
            ),
            # Lists in due order and the dashboard's due-soon and overdue lists read claims
            # along this index (MilestoneQuerySet.first_through); /milestones/?year=YYYY.
            models.Index(fields=["target_latest", "milestone"], name="claim_target_due_idx"),
            # The dashboard's recently achieved list (first_through over achievement reports).
            models.Index(
                fields=["achieved_on", "milestone"],
                condition=Q(kind="achievement"),
                name="claim_achieved_idx",
            ),
            # Newest claims first: the Atom feeds, and the dashboard's recent revisions.
            models.Index(fields=["stated_on_latest", "id"], name="claim_known_order_idx"),
            models.Index(fields=["-created_at"], name="claim_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.stated_label}: {self.milestone.title}"

    def save(self, *args, **kwargs):
        self.fill_date_bounds()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return page_path("claims:milestone_detail", self.milestone_id)

    def fill_date_bounds(self) -> None:
        """Snap each partial date to the start of its period and derive its last day."""
        self.stated_on, self.stated_on_latest = partial_date_bounds(
            self.stated_on, self.stated_on_precision
        )
        self.achieved_on, self.achieved_on_latest = partial_date_bounds(
            self.achieved_on, self.achieved_on_precision
        )

    @property
    def stated_label(self) -> str:
        return format_date(self.stated_on, self.stated_on_precision)

    @property
    def stated_datetime(self) -> str:
        return datetime_attr(self.stated_on, self.stated_on_latest or self.stated_on)

    @property
    def achieved_label(self) -> str:
        return format_date(self.achieved_on, self.achieved_on_precision)

    @property
    def target_label(self) -> str:
        if self.kind not in (*self.TARGET_KINDS, self.Kind.VIEW):
            return ""
        return format_period(self.target_earliest, self.target_latest, self.target_precision)

    @property
    def has_target(self) -> bool:
        return self.kind in self.TARGET_KINDS

    @property
    def counts(self) -> bool:
        """Whether it can move the milestone's status: its own parties' statements, and
        achievement reports by anyone. Views never count."""
        return self.kind == self.Kind.ACHIEVEMENT or (
            self.kind != self.Kind.VIEW and self.standing in self.PARTY_STANDINGS
        )

    @property
    def is_third_party(self) -> bool:
        return self.standing not in self.PARTY_STANDINGS

    def get_kind_display(self) -> str:
        # Django's own looks the value up through every choice each call; timelines call it
        # per claim.
        return CLAIM_KIND_LABELS.get(self.kind, self.kind)

    def get_evidence_display(self):
        return CLAIM_EVIDENCE_LABELS.get(self.evidence, self.evidence)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._clean_target(errors)
        self._clean_standing(errors)
        if self.kind == self.Kind.ACHIEVEMENT:
            if self.achieved_on is None:
                errors["achieved_on"] = "An achievement report needs the date it happened."
            if self.evidence is None:
                errors["evidence"] = "Say how strong the evidence for the achievement is."
            elif self.evidence == self.Evidence.OFFICIAL_RECORD and self.source_id:
                if self.source.kind not in (
                    Source.Kind.REGULATORY_FILING,
                    Source.Kind.GOVERNMENT_NOTICE,
                ):
                    errors["evidence"] = (
                        "Official record needs the filing, permit or notice itself as the source; "
                        "a record known only through a report is a third-party report."
                    )
            elif (
                self.evidence == self.Evidence.INDEPENDENT_OBSERVATION
                and self.standing in self.PARTY_STANDINGS
            ):
                errors["evidence"] = (
                    "A company cannot observe itself independently: independent observation is a "
                    "third party's own site visit or teardown."
                )
        else:
            if self.achieved_on is not None:
                errors["achieved_on"] = "Only an achievement report has a date achieved."
            if self.evidence is not None:
                errors["evidence"] = "Only an achievement report has an evidence level."
        if self.stated_on and self.stated_on > date.today():
            errors["stated_on"] = "A claim cannot be stated in the future."
        if self.achieved_on and self.stated_on:
            _, stated_latest = partial_date_bounds(self.stated_on, self.stated_on_precision)
            achieved_earliest, _ = partial_date_bounds(self.achieved_on, self.achieved_on_precision)
            if achieved_earliest > stated_latest:
                errors["achieved_on"] = (
                    "An achievement cannot be reported before it happened: the date achieved is "
                    "after the date stated."
                )
        if errors:
            raise ValidationError(errors)

    def _clean_target(self, errors: dict[str, str]) -> None:
        """Read the stated target into its period, against the claim's own date and the
        company's fiscal year."""
        if self.kind in (*self.TARGET_KINDS, self.Kind.VIEW) and (
            self.target_text or self.kind != self.Kind.VIEW
        ):
            company = self.milestone.company if self.milestone_id else None
            try:
                period = parse_period(
                    self.target_text or "",
                    stated_on=self.stated_on,
                    fiscal_year_start=company.fiscal_year_start_month if company else None,
                )
            except PeriodError as exc:
                errors["target_text"] = str(exc)
            else:
                self.target_text = period.stated
                self.target_earliest = period.earliest
                self.target_latest = period.latest
                self.target_precision = str(period.precision)
            return
        if self.target_text:
            errors["target_text"] = (
                f"A {self.get_kind_display().lower()} carries no target: leave the target "
                "empty, or make it an announcement, reaffirmation or revision."
            )
        self.target_earliest = self.target_latest = None
        self.target_precision = "none"

    def _clean_standing(self, errors: dict[str, str]) -> None:
        if self.kind in self.PARTY_KINDS and self.standing not in self.PARTY_STANDINGS:
            errors["standing"] = (
                "Only the milestone's own company or partners announce, revise, clarify or "
                "cancel its targets: record what a "
                f"{self.get_standing_display().split(' (')[0].lower()} says as a view."
            )
        if self.kind == self.Kind.VIEW and self.standing in self.PARTY_STANDINGS:
            errors["standing"] = (
                "A view is a third party's or a government's: the company's own statements are "
                "announcements, revisions or clarifications."
            )
        if (
            self.standing == self.Standing.PARTNER
            and self.milestone_id
            and self.milestone.pk
            and not self.milestone.partners.exists()
        ):
            errors["standing"] = (
                "This milestone names no partner company: add the partner to the milestone "
                "first, or choose another standing."
            )


class MilestoneFacts(models.Model):
    """What a milestone's claims say, kept beside it: the inputs of its status as of today.

    Derived, never edited: claims.facts rewrites a milestone's row whenever one of its claims
    is written or deleted, so that lists filter, count and sort by status over plain,
    indexed columns instead of reading every milestone's claims on each request. Views as of
    a past date derive the same facts from the claims stated by then
    (MilestoneQuerySet.with_status); a property test keeps the two in agreement.
    """

    milestone = models.OneToOneField(
        Milestone, on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    #: The earliest and latest day the first achievement could have happened.
    achieved_on = models.DateField(null=True)
    achieved_latest = models.DateField(null=True)
    first_target_latest = models.DateField(null=True)
    current_target_latest = models.DateField(null=True)
    first_target = models.JSONField(null=True)
    current_target = models.JSONField(null=True)
    # NULL as derived_facts gives it, when nothing was announced or cancelled.
    last_said = models.CharField(max_length=20, null=True)  # noqa: DJ001
    #: The latest claim's stated period: known from last_claim_on, said from last_claim_from.
    last_claim_on = models.DateField()
    last_claim_from = models.DateField(null=True)

    class Meta:
        verbose_name_plural = "milestone facts"
        indexes = [
            # Lists in due order (/milestones/, the country page, the dashboard's due-soon
            # and overdue lists), ?year=YYYY, ?status=overdue.
            models.Index(fields=["current_target_latest", "milestone"], name="facts_due_idx"),
            # The dashboard's recently achieved list.
            models.Index(fields=["achieved_on", "milestone"], name="facts_achieved_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of milestone {self.milestone_id}"


MILESTONE_KIND_LABELS = dict(Milestone.Kind.choices)
CLAIM_KIND_LABELS = dict(Claim.Kind.choices)
CLAIM_EVIDENCE_LABELS = dict(Claim.Evidence.choices)
#: Short labels of a speaker's standing, for marking claims that do not count.
STANDING_LABELS = {
    "company": "The company",
    "partner": "Partner",
    "government": "Government body",
    "third_party": "Third party",
}
