"""Sources in the admin: one article, many claims across companies; merging duplicate sources; the
claims CSV import."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.claims import ClaimTablePageMixin, NextTargetAdminMixin, SourceClaimInline
from claims.admin.filters import PublishedYearListFilter
from claims.admin.forms import MergeSourcesForm, SourceForm
from claims.admin.imports import CLAIM_IMPORT_HELP, CsvImportMixin
from claims.admin.versioning import VersionedAdminMixin
from claims.imports import import_claims_csv
from claims.models import Source
from claims.services import MergeRefused, merge_sources


@admin.register(Source)
class SourceAdmin(
    ClaimTablePageMixin,
    NextTargetAdminMixin,
    VersionedAdminMixin,
    CsvImportMixin,
    SimpleHistoryAdmin,
):
    form = SourceForm
    actions = ["merge_sources"]
    import_function = staticmethod(import_claims_csv)
    import_help = CLAIM_IMPORT_HELP
    import_permissions = ("claims.add_source", "claims.add_claim", "claims.change_claim")
    list_display = ["title", "publisher", "kind", "published", "via", "claim_count"]
    list_filter = [PublishedYearListFilter, "kind", "language", "publisher"]
    search_fields = ["title", "publisher", "url"]
    # No date hierarchy: a source known only to its year would be filed under January.
    autocomplete_fields = ["via"]
    inlines = [SourceClaimInline]
    fieldsets = [
        (None, {"fields": ["version", "url", "title", "publisher", "kind"]}),
        (
            "Dates and language",
            {"fields": ["published_on", "language", "accessed_on"]},
        ),
        ("Provenance", {"fields": ["via", "archive_url"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_claim_counts().select_related("via")

    @admin.display(description="published", ordering="published_on")
    def published(self, obj: Source) -> str:
        return obj.published_label

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj: Source) -> int:
        return obj.claim_count

    def has_merge_permission(self, request: HttpRequest) -> bool:
        """A merge changes the kept source and deletes the others: both permissions (an
        action's own list of permissions would accept either)."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(
        description="Merge selected sources into one (keeps every claim)",
        permissions=["merge"],
    )
    def merge_sources(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Choose the source to keep, then move every claim, relation, facility and "via" of
        the others to it and delete them (claims.services.merge_sources)."""
        sources = list(queryset.order_by("pk"))
        if len(sources) < 2:
            self.message_user(request, "Select two or more sources to merge.", messages.WARNING)
            return None
        form = MergeSourcesForm(
            request.POST if "confirm" in request.POST else None, sources=sources
        )
        if form.is_valid():
            keep = next(s for s in sources if s.pk == form.cleaned_data["keep"])
            try:
                result = merge_sources(
                    keep=keep, merge=sources, versions=form.versions(), user=request.user
                )
            except MergeRefused as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Merged {len(result.deleted)} source(s) into #{keep.pk} “{keep.title}”: "
                    f"{result.claims} claims, {result.relations} relations, {result.facilities} "
                    f"facilities and {result.reported} sources reported via them now cite it.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:claims_source_change", args=[keep.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge sources",
            "form": form,
            "sources": Source.objects.filter(pk__in=[s.pk for s in sources])
            .with_claim_counts()
            .order_by("pk"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/claims/source/merge_sources.html", context)
