"""Claims in the admin: the claim table (inline on sources and milestones), the next target an
achievement states, and the claim admin."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.filters import ClaimCountryListFilter, StatedYearListFilter
from claims.admin.forms import CLAIM_FIELDS, ClaimForm, ClaimInlineForm
from claims.admin.imports import CLAIM_IMPORT_HELP, CsvImportMixin
from claims.admin.versioning import VersionedAdminMixin
from claims.imports import claim_rows, import_claims_csv
from claims.models import Claim
from claims.services import add_next_claim


class ClaimTablePageMixin:
    """A page with the claim table: the table takes the whole width of the screen (the
    navigation sidebar stays closed here; the breadcrumbs lead back)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)


class NextTargetAdminMixin:
    """After a claim form (or an inline row of claims) is saved: the next target an
    achievement report stated becomes its own claim, linked to the report."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._add_next_claim(request, form)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        deleted = set(getattr(formset, "deleted_forms", []))
        for row in formset.forms:
            if row not in deleted:
                self._add_next_claim(request, row)

    @staticmethod
    def _add_next_claim(request, form) -> None:
        planned = getattr(form, "next_planned", None)
        if planned is None or form.instance.pk is None:
            return
        milestone, target = planned
        add_next_claim(
            claim=form.instance, milestone=milestone, target_text=target, user=request.user
        )
        form.next_planned = None


# --- inlines ---------------------------------------------------------------------------------


class ClaimInline(admin.TabularInline):
    model = Claim
    form = ClaimInlineForm
    extra = 1
    autocomplete_fields = ["source", "milestone"]
    fields = [*CLAIM_FIELDS, "next_milestone", "next_target"]
    # How the target is understood shows under it (TargetInput's preview), not in a column of
    # its own: the table fits a 1280 px screen (static/css/admin.css).
    classes = ["claim-table"]


class SourceClaimInline(ClaimInline):
    """On a source: claims across companies, each choosing its milestone."""

    fields = [f for f in ClaimInline.fields if f != "source"]
    verbose_name_plural = "claims this source supports"


class MilestoneClaimInline(ClaimInline):
    """On a milestone: its history of claims, each citing a source."""

    fields = [f for f in ClaimInline.fields if f != "milestone"]
    verbose_name_plural = "claims (the history; status and target derive from these)"


@admin.register(Claim)
class ClaimAdmin(NextTargetAdminMixin, VersionedAdminMixin, CsvImportMixin, SimpleHistoryAdmin):
    import_function = staticmethod(import_claims_csv)
    import_help = CLAIM_IMPORT_HELP
    import_permissions = ("claims.add_source", "claims.add_claim", "claims.change_claim")
    actions = ["export_csv"]
    form = ClaimForm
    list_display = ["milestone", "kind", "stated", "speaker", "standing", "target_text", "source"]
    list_filter = [StatedYearListFilter, "kind", "standing", "evidence", ClaimCountryListFilter]
    search_fields = [
        "milestone__title",
        "milestone__company__name",
        "speaker",
        "quote",
        "source__title",
        "target_text",
    ]
    autocomplete_fields = ["milestone", "source"]
    # No date hierarchy: a claim known only to its year would be filed under January.
    list_select_related = ["milestone__company", "milestone__facility", "source"]
    readonly_fields = ["understood_as"]

    @admin.display(description="saved as")
    def understood_as(self, obj: Claim) -> str:
        return obj.target_label if obj.pk and obj.has_target else "—"

    @admin.display(description="stated", ordering="stated_on")
    def stated(self, obj: Claim) -> str:
        return obj.stated_label

    @admin.action(description="Export selected claims as CSV (the import format)")
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        from claims.views.common import csv_response

        claims = queryset.select_related("milestone__company", "source__via").order_by(
            "source__via", "stated_on", "pk"
        )
        rows = claim_rows(claims)
        return csv_response("claims.csv", next(rows), rows)
