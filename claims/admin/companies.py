"""Companies, technologies and relations in the admin, with the inlines of a company page."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.filters import CountryListFilter
from claims.admin.versioning import VersionedAdminMixin, VersionedInlineForm, VersionedModelForm
from claims.models import Company, CompanyRelation, Facility, Milestone, Technology
from claims.querysets import COMPANY_NAMES


class FacilityInline(admin.TabularInline):
    model = Facility
    extra = 0
    form = VersionedInlineForm
    fields = [
        "version",
        "name",
        "slug",
        "kind",
        "status",
        "country",
        "city",
        "capacity_value",
        "capacity_unit",
    ]
    show_change_link = True
    prepopulated_fields = {"slug": ["name"]}


class RelationInline(admin.TabularInline):
    """A company's relations, one direction of them (the other company and the source)."""

    model = CompanyRelation
    form = VersionedInlineForm
    extra = 0


class RelationFromInline(RelationInline):
    fk_name = "from_company"
    autocomplete_fields = ["to_company", "source"]
    verbose_name = "relation (this company is … of …)"
    verbose_name_plural = "relations: this company is … of …"


class RelationToInline(RelationInline):
    fk_name = "to_company"
    autocomplete_fields = ["from_company", "source"]
    verbose_name = "relation (… is … of this company)"
    verbose_name_plural = "relations: … is … of this company"


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "kind", "facility"]
    readonly_fields = ["title", "kind", "facility"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# --- model admins ----------------------------------------------------------------------------


@admin.register(Technology)
class TechnologyAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Company)
class CompanyAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    form = VersionedModelForm
    list_display = ["name", "native_name", "country", "role", "technology_list", "updated_at"]
    list_filter = [CountryListFilter, "role", "technologies"]
    search_fields = [*COMPANY_NAMES, "slug", "tickers"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["technologies"]
    inlines = [FacilityInline, RelationFromInline, RelationToInline, MilestoneInline]
    fieldsets = [
        (None, {"fields": ["version", "name", "native_name", "aliases", "slug"]}),
        (
            "Profile",
            {
                "fields": [
                    "country",
                    "role",
                    "technologies",
                    "hq_city",
                    "website",
                    "tickers",
                    "fiscal_year_start_month",
                    "description",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("technologies")

    @admin.display(description="technologies")
    def technology_list(self, obj: Company) -> str:
        return ", ".join(t.name for t in obj.technologies.all())


@admin.register(CompanyRelation)
class CompanyRelationAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    form = VersionedModelForm
    list_display = ["from_company", "kind", "to_company", "source"]
    list_filter = ["kind"]
    search_fields = ["from_company__name", "to_company__name", "note"]
    autocomplete_fields = ["from_company", "to_company", "source"]
    list_select_related = ["from_company", "to_company", "source"]
