"""Facilities and milestones in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.claims import ClaimTablePageMixin, MilestoneClaimInline, NextTargetAdminMixin
from claims.admin.filters import CountryListFilter, StatusListFilter, TargetYearListFilter
from claims.admin.forms import parse_target_preview
from claims.admin.imports import CsvImportMixin
from claims.admin.versioning import VersionedAdminMixin, VersionedModelForm
from claims.imports import import_milestones_csv
from claims.models import Facility, Milestone
from claims.querysets import COMPANY_NAMES


@admin.register(Facility)
class FacilityAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    form = VersionedModelForm
    list_display = ["name", "company", "kind", "status", "country", "city", "capacity_label"]
    list_filter = [CountryListFilter, "kind", "status", "technology"]
    search_fields = [
        "name",
        "slug",
        "city",
        "district",
        *(f"company__{name}" for name in COMPANY_NAMES),
    ]
    autocomplete_fields = ["company", "source"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["company"]
    fieldsets = [
        (None, {"fields": ["version", "company", "name", "slug", "kind", "status", "source"]}),
        (
            "Location",
            {
                "fields": [
                    "country",
                    "province",
                    "city",
                    "district",
                    "address",
                    ("latitude", "longitude", "location_accuracy"),
                ]
            },
        ),
        (
            "Plant",
            {
                "fields": [
                    "technology",
                    "cell_format",
                    ("cell_ah", "cell_nominal_voltage"),
                    ("capacity_value", "capacity_unit"),
                    ("investment_amount", "investment_currency"),
                    "description",
                ]
            },
        ),
    ]

    @admin.display(description="planned capacity")
    def capacity_label(self, obj: Facility) -> str:
        return obj.capacity_label


@admin.register(Milestone)
class MilestoneAdmin(
    ClaimTablePageMixin,
    NextTargetAdminMixin,
    VersionedAdminMixin,
    CsvImportMixin,
    SimpleHistoryAdmin,
):
    form = VersionedModelForm
    import_function = staticmethod(import_milestones_csv)
    import_help = (
        "One milestone a row, matched by slug: the CSV download of the public milestone list "
        "imports back. Columns read: slug, company_slug, title, kind, facility (its name). "
        "Status and target columns are derived from claims and ignored."
    )
    import_permissions = ("claims.add_milestone", "claims.change_milestone")
    list_display = ["title", "company", "kind", "status_today", "current_target", "facility"]
    list_filter = [
        StatusListFilter,
        TargetYearListFilter,
        CountryListFilter,
        "kind",
        "technology",
    ]
    search_fields = ["title", "slug", *(f"company__{name}" for name in COMPANY_NAMES)]
    autocomplete_fields = ["company", "facility", "partners"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MilestoneClaimInline]
    readonly_fields = ["where", "status_today", "status_explained"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version",
                    "company",
                    "facility",
                    "where",
                    "partners",
                    "title",
                    "slug",
                    "kind",
                    "description",
                ]
            },
        ),
        (
            "Metrics",
            {
                "fields": [
                    "technology",
                    ("capacity_value", "capacity_unit"),
                    ("energy_density_wh_kg", "energy_density_wh_l"),
                    ("cell_ah", "cycle_life"),
                ]
            },
        ),
        ("Derived from the claims", {"fields": ["status_today", "status_explained"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Company and facility: each milestone's label names both (autocomplete results too).
        return super().get_queryset(request).with_claims().select_related("company", "facility")

    @admin.display(description="where it happens")
    def where(self, obj: Milestone) -> str:
        if not obj.pk:
            return "the facility's country, or the company's when there is no facility"
        return obj.country.name

    @admin.display(description="status today")
    def status_today(self, obj: Milestone) -> str:
        if not obj.pk:
            return "—"
        result = obj.derived_status()
        stale = " (stale)" if result.stale else ""
        return f"{result.status.label}{stale}"

    @admin.display(description="current target")
    def current_target(self, obj: Milestone) -> str:
        target = obj.derived_status().current_target
        return target.label if target else "—"

    @admin.display(description="in words")
    def status_explained(self, obj: Milestone) -> str:
        return obj.derived_status().explanation if obj.pk else "—"

    def get_urls(self):
        preview = path(
            "parse-target/",
            self.admin_site.admin_view(parse_target_preview),
            name="claims_parse_target",
        )
        return [preview, *super().get_urls()]
