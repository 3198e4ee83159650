"""List filters of the admin change lists: country, year, status and target year."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django_countries import countries

from claims.models import Claim
from claims.read import AsOf
from claims.status import STATUS_CHOICES, Status

# --- list filters ----------------------------------------------------------------------------


class CountryListFilter(admin.SimpleListFilter):
    """Countries that actually occur, by name."""

    title = "country"
    parameter_name = "country"
    field_path = "country"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).values_list(self.field_path, flat=True)
        return sorted(((c, countries.name(c)) for c in set(codes) if c), key=lambda x: x[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field_path: self.value()})
        return queryset


class ClaimCountryListFilter(CountryListFilter):
    """Where the claim's milestone happens."""

    field_path = "milestone__country"


class YearListFilter(admin.SimpleListFilter):
    """The years records fall in, by the first day of their date (a date known only to its
    year is filed under that year, never under a month)."""

    title = "year"
    field_path = ""

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates(self.field_path, "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{f"{self.field_path}__year": int(value)})
        return queryset


class StatedYearListFilter(YearListFilter):
    title = "year stated"
    parameter_name = "stated_year"
    field_path = "stated_on"


class PublishedYearListFilter(YearListFilter):
    title = "year published"
    parameter_name = "published_year"
    field_path = "published_on"


class StatusListFilter(admin.SimpleListFilter):
    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return STATUS_CHOICES

    def queryset(self, request, queryset):
        if self.value() in set(Status):
            read = AsOf(date.today())
            return read.in_status(read.annotated(queryset, stated_only=False), [self.value()])
        if self.value():
            return queryset.none()
        return queryset


class TargetYearListFilter(admin.SimpleListFilter):
    title = "target year"
    parameter_name = "target_year"

    def lookups(self, request, model_admin):
        years = Claim.objects.filter(target_latest__isnull=False).dates("target_latest", "year")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            read = AsOf(date.today())
            return read.annotated(queryset, stated_only=False).due_in_year(int(self.value()))
        return queryset
