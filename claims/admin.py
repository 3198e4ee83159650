"""The editors' admin: one article becomes one Source with many Claims across companies."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from claims.dates import PartialDateError, date_end, format_partial_date, parse_partial_date
from claims.forms import PartialDatesMixin
from claims.imports import (
    CLAIM_COLUMNS,
    ImportFileError,
    StaleImportError,
    UploadGone,
    claim_rows,
    import_claims_csv,
    import_milestones_csv,
    keep_upload,
    take_upload,
)
from claims.locking import lock_for_edit
from claims.models import (
    Claim,
    Company,
    CompanyRelation,
    Facility,
    Milestone,
    Source,
    Technology,
)
from claims.periods import PeriodError, parse_period
from claims.services import MergeRefused, add_next_claim, merge_sources, next_claim
from claims.status import STATUS_CHOICES, Status

admin.site.site_header = "SSB Tracker editors"
admin.site.site_title = "SSB Tracker admin"
admin.site.index_title = "Sources, claims and companies"
admin.site.site_url = "/"


# --- the target field with a live "understood as" preview -----------------------------------


class TargetInput(forms.TextInput):
    """A text input that asks the server, through htmx, how it reads the stated target."""

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "hx-get": reverse("admin:claims_parse_target"),
            # Again when anything else in the form changes: the row's date reads "next year".
            "hx-trigger": "input changed delay:300ms, load, change from:closest form",
            "hx-target": "next .period-preview",
            "hx-swap": "innerHTML",
            # The row's stated date and milestone (or the page's company) decide relative
            # forms ("next year") and fiscal years.
            "hx-include": "closest form",
            "autocomplete": "off",
            "placeholder": "e.g. H2 2026",
        }
        return super().get_context(name, value, attrs)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<output class="period-preview" aria-live="polite"></output>', html)


@require_GET
def parse_target_preview(request: HttpRequest) -> HttpResponse:
    """What the parser understands of a stated target, as a short phrase for the editor.

    The whole form is sent (for the row's date and milestone); the field that asked is named
    by htmx's HX-Trigger-Name header, else the first target field.
    """
    name = request.headers.get("HX-Trigger-Name", "")
    if not name.endswith(TARGET_FIELDS) or name not in request.GET:
        name = next((k for k in request.GET if k.endswith(TARGET_FIELDS)), "")
    text = request.GET.get(name, "")
    prefix = next((name.removesuffix(f) for f in TARGET_FIELDS if name.endswith(f)), "")
    stated_on, against = None, "the claim's date is not given yet"
    try:
        stated_on, precision = parse_partial_date(request.GET.get(f"{prefix}stated_on", ""))
        against = f"read against the claim's date, {format_partial_date(stated_on, precision)}"
        stated_on = date_end(stated_on, precision)  # the last day it could have been said
    except PartialDateError:
        pass
    if name.endswith("next_target") and not text.strip():
        return HttpResponse("")  # most rows state no next target: nothing to say
    company = _preview_company(request.GET, prefix, next_target=name.endswith("next_target"))
    try:
        period = parse_period(
            text,
            stated_on=stated_on,
            fiscal_year_start=company.fiscal_year_start_month if company else None,
        )
    except PeriodError as exc:
        return render(request, "admin/claims/target_preview.html", {"error": exc})
    context = {"period": period, "against": against}
    return render(request, "admin/claims/target_preview.html", context)


#: The fields that state a target: the claim's own, and the next target of an achievement.
TARGET_FIELDS = ("target_text", "next_target")


def _preview_company(data, prefix: str, next_target: bool = False) -> Company | None:
    """The company whose fiscal year a target preview reads: the row's milestone's (for a next
    target, the next milestone's when one is chosen), else the page's company (a milestone's
    own page)."""
    milestone = (next_target and data.get(f"{prefix}next_milestone")) or ""
    milestone = milestone or data.get(f"{prefix}milestone") or data.get("milestone")
    if milestone and milestone.isdigit():
        return Company.objects.filter(milestones__pk=milestone).first()
    company = data.get("company")
    if company and company.isdigit():
        return Company.objects.filter(pk=company).first()
    return None


def conflict_message(instance, submitted: int, current: int) -> str:
    """What another editor changed between the version this form showed and the current one."""
    history = instance.history.order_by("-history_date", "-history_id")
    seen = history.filter(version=submitted).first()
    latest = history.filter(version=current).first()
    who = "another editor"
    when = ""
    changes = []
    if latest is not None:
        if latest.history_user is not None:
            who = latest.history_user.get_username()
        when = f" at {latest.history_date:%d %b %Y %H:%M} UTC"
        if seen is not None:
            for change in latest.diff_against(seen, excluded_fields=["version"]).changes:
                name = instance._meta.get_field(change.field).verbose_name
                changes.append(f"{name}: “{change.old}” → “{change.new}”")
    detail = "; ".join(changes) if changes else "see the record's history"
    return (
        f"{who} changed this {instance._meta.verbose_name}{when} while you were editing it, "
        f"so your changes were not saved. What changed: {detail}. Reload the page to see the "
        "current version, then make your change again."
    )


MISSING_VERSION = "This form is missing its version: reload the page and make your change again."


class VersionedModelForm(forms.ModelForm):
    """Refuses to save over a newer version of the record (optimistic concurrency).

    An existing record's form must post the version it was opened on; a new record has none.
    The rows are locked beforehand, in the one lock order (VersionedAdminMixin).
    """

    #: An inline row: when another editor saved its record and this editor left the row as
    #: they saw it, the row is skipped instead of refusing the whole page.
    inline = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.untouched = False
        if "version" in self.fields:
            self.fields["version"] = forms.CharField(required=False, widget=forms.HiddenInput)
            history = to_historic(self.instance) if self.instance.pk else None
            if history is not None:
                # A revert form shows an old version's values; it was opened on the current one.
                self.initial["version"] = current_version(self.instance)
                for field in self.instance._meta.many_to_many:
                    if field.name in self.fields and hasattr(history, field.name):
                        target = field.m2m_reverse_field_name()
                        rows = getattr(history, field.name).values_list(target, flat=True)
                        self.initial[field.name] = list(rows)

    @property
    def changed_data(self) -> list[str]:
        if self.untouched:
            return []
        # The version is bookkeeping, not a change: an extra inline row is still empty.
        return [name for name in super().changed_data if name != "version"]

    def clean(self):
        cleaned = super().clean()
        if "version" not in self.fields:
            return cleaned
        text = (cleaned.pop("version", None) or "").strip()
        if not self.instance.pk:
            return cleaned
        if not text.isdigit():
            raise forms.ValidationError(MISSING_VERSION, code="missing_version")
        submitted = int(text)
        current = current_version(self.instance, lock=True)
        if current is None:
            return cleaned
        if current != submitted:
            if self.inline and not self._edited_since(submitted):
                self.untouched = True
                return cleaned
            raise forms.ValidationError(
                conflict_message(self.instance, submitted, current), code="conflict"
            )
        self.instance.version = current
        return cleaned

    def _edited_since(self, version: int) -> bool:
        """Whether this editor changed the row from what it was at `version`."""
        seen = self.instance.history.filter(version=version).order_by("-history_id").first()
        if seen is None:
            return True
        names = [n for n in self.fields if n != "version"]
        initial = forms.models.model_to_dict(seen.instance, fields=names)
        return any(
            self.fields[n].has_changed(initial.get(n), self[n].data)
            for n in names
            if not self.fields[n].disabled
        )


def current_version(instance, lock: bool = False) -> int | None:
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if lock and transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update(no_key=True)
    return rows.values_list("version", flat=True).first()


class VersionedInlineForm(VersionedModelForm):
    inline = True


class VersionedAdminMixin:
    """Change forms and history reverts: one transaction, the rows locked first in the one
    lock order (claims/locking.py), then the stale-edit check of VersionedModelForm."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            lock_for_edit(self.model, object_id, request.POST)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        with transaction.atomic():
            lock_for_edit(self.model, object_id, request.POST)
            return super().history_form_view(request, object_id, version_id, extra_context)


def milestone_choice_widget(**attrs) -> AutocompleteSelect:
    """The milestone picker: searches as the claim's milestone field does."""
    return AutocompleteSelect(Claim._meta.get_field("milestone"), admin.site, attrs=attrs)


class ClaimForm(PartialDatesMixin, VersionedModelForm):
    """A claim; an achievement report may also state the next target, saved as a second claim
    linked to it (claims.services.add_next_claim)."""

    partial_dates = ("stated_on", "achieved_on")

    next_milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.select_related("company", "facility"),
        required=False,
        label="next milestone",
        help_text="For an achievement report that also states the next target: the milestone "
        "it is for (empty: the same milestone).",
        widget=milestone_choice_widget(),
    )
    next_target = forms.CharField(
        required=False,
        max_length=100,
        label="next target",
        help_text="The next target the report states (“phase 2 by December 2026”): saved as a "
        "second claim with the same source, date and speaker.",
        widget=TargetInput(attrs={"size": 10}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_planned: tuple[Milestone, str] | None = None
        if "milestone" in self.fields:
            # The label names company, title and facility: fetch them with the milestone.
            self.fields["milestone"].queryset = Milestone.objects.select_related(
                "company", "facility"
            )

    def _post_clean(self):
        super()._post_clean()
        target = (self.cleaned_data.get("next_target") or "").strip()
        milestone = self.cleaned_data.get("next_milestone")
        if not target:
            if milestone is not None:
                self.add_error("next_target", "Give the next target, or clear the next milestone.")
            return
        if self.instance.kind != Claim.Kind.ACHIEVEMENT:
            self.add_error(
                "next_target",
                "A next target goes with an achievement report; enter other targets as a "
                "claim of their own.",
            )
            return
        if self.errors:
            return
        milestone = milestone or (self.instance.milestone if self.instance.milestone_id else None)
        if milestone is None:
            self.add_error("next_target", "Choose the milestone the next target is for.")
            return
        planned = next_claim(claim=self.instance, milestone=milestone, target_text=target)
        known_source = planned.source_id is not None
        try:
            planned.full_clean(
                exclude=[] if known_source else ["source"], validate_constraints=known_source
            )
        except ValidationError as exc:
            kind = planned.get_kind_display().lower()
            for messages_ in exc.message_dict.values():
                for message in messages_:
                    self.add_error("next_target", f"As the {kind} of {milestone}: {message}")
            return
        self.next_planned = (milestone, planned.target_text)

    class Meta:
        model = Claim
        fields = [
            "version",
            "milestone",
            "kind",
            "stated_on",
            "speaker",
            "standing",
            "target_text",
            "achieved_on",
            "evidence",
            "source",
            "quote",
        ]
        widgets = {
            "target_text": TargetInput(attrs={"size": 10}),
            "quote": forms.Textarea(attrs={"rows": 2, "cols": 24}),
            "speaker": forms.TextInput(attrs={"size": 12}),
        }


class SourceForm(PartialDatesMixin, VersionedModelForm):
    partial_dates = ("published_on",)

    class Meta:
        model = Source
        exclude = []  # noqa: DJ006 (every field, as the admin shows them)


class ClaimInlineForm(ClaimForm):
    inline = True


class MergeSourcesForm(forms.Form):
    """Which of the selected sources to keep; the versions the editor saw ride along."""

    keep = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Keep")

    def __init__(self, *args, sources: list[Source], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(s.pk, f"#{s.pk} {s}") for s in sources]
        self.fields["keep"].initial = sources[0].pk
        for source in sources:
            self.fields[f"version_{source.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=source.version
            )

    def versions(self) -> dict[int, int]:
        return {
            int(name.removeprefix("version_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("version_")
        }


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


# --- CSV import and export ------------------------------------------------------------------


class CsvImportForm(forms.Form):
    """A file to preview, or the token of a previewed file to confirm (kept on the server)."""

    file = forms.FileField(required=False, label="CSV file (UTF-8)")
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    MAX_BYTES = 5 * 1024 * 1024

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("The file is larger than 5 MB: split it.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
                ) from None
        if not data.get("text") and not data.get("token"):
            raise forms.ValidationError("Choose a CSV file to import.")
        return data


class CsvImportMixin:
    """An "Import CSV" page on a changelist: a dry-run preview, then a confirmed import.

    The previewed file stays on the server (imports.keep_upload), bound to its editor and
    this import, for an hour; the confirmation posts only its token.
    """

    change_list_template = "admin/claims/change_list_with_import.html"
    import_function = None
    import_help = ""
    import_permissions: tuple[str, ...] = ()

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import",
            )
        ]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perms(self.import_permissions):
            raise PermissionDenied
        if request.method == "POST":
            form = CsvImportForm(request.POST, request.FILES)
        else:
            form = CsvImportForm()
        report = error = token = None
        kind = self.opts.label_lower
        if request.method == "POST" and form.is_valid():
            confirm = "confirm" in request.POST and not form.cleaned_data.get("text")
            try:
                if confirm:
                    text = take_upload(
                        user_id=request.user.pk, kind=kind, token=form.cleaned_data["token"]
                    )
                else:
                    text = form.cleaned_data["text"]
                report = type(self).import_function(
                    text=text, dry_run=not confirm, user=request.user
                )
            except UploadGone:
                error = (
                    "This preview has expired or is not yours: upload the file again to preview it."
                )
            except (ImportFileError, StaleImportError) as exc:
                error = str(exc)
            else:
                if report.saved:
                    take_upload(
                        user_id=request.user.pk,
                        kind=kind,
                        token=form.cleaned_data["token"],
                        remove=True,
                    )
                    self.message_user(
                        request,
                        f"Imported: {report.count('create')} rows created, "
                        f"{report.count('update')} updated, "
                        f"{report.count('unchanged')} unchanged.",
                    )
                    return redirect(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
                    )
                if report.ok:
                    token = keep_upload(user_id=request.user.pk, kind=kind, text=text)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import {self.opts.verbose_name_plural} from CSV",
            "form": form,
            "report": report,
            "error": error,
            "token": token,
            "help": self.import_help,
        }
        return TemplateResponse(request, "admin/claims/import_csv.html", context)


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
            return queryset.with_status(date.today()).in_status([self.value()])
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
            return queryset.with_status(date.today()).due_in_year(int(self.value()))
        return queryset


# --- inlines ---------------------------------------------------------------------------------


class ClaimInline(admin.TabularInline):
    model = Claim
    form = ClaimInlineForm
    extra = 1
    autocomplete_fields = ["source", "milestone"]
    fields = [
        "version",
        "milestone",
        "kind",
        "stated_on",
        "speaker",
        "standing",
        "target_text",
        "achieved_on",
        "evidence",
        "source",
        "quote",
        "next_milestone",
        "next_target",
    ]
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


class RelationFromInline(admin.TabularInline):
    model = CompanyRelation
    fk_name = "from_company"
    form = VersionedInlineForm
    extra = 0
    autocomplete_fields = ["to_company", "source"]
    verbose_name = "relation (this company is … of …)"
    verbose_name_plural = "relations: this company is … of …"


class RelationToInline(admin.TabularInline):
    model = CompanyRelation
    fk_name = "to_company"
    form = VersionedInlineForm
    extra = 0
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
    search_fields = ["name", "native_name", "aliases", "slug", "tickers"]
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


CLAIM_IMPORT_HELP = (
    "One claim a row, with its source. Columns: " + ", ".join(CLAIM_COLUMNS) + ". Company and "
    "milestone are matched by slug or name and must exist. Dates are given as precisely as the "
    "source gives them: 2025-11-03, 2025-11, Nov 2025, 2025-Q4, 2025-H2, 2025 or 2025年11月. "
    "standing is company (the default), partner, government or third_party: only the company "
    "and partners named on the milestone set, revise or cancel targets; others' opinions are "
    "kind view. The claims export of this admin has exactly these columns."
)


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
        "company__name",
        "company__native_name",
        "company__aliases",
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
    search_fields = ["title", "slug", "company__name", "company__native_name", "company__aliases"]
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
                    "cell_ah",
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


@admin.register(CompanyRelation)
class CompanyRelationAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    form = VersionedModelForm
    list_display = ["from_company", "kind", "to_company", "source"]
    list_filter = ["kind"]
    search_fields = ["from_company__name", "to_company__name", "note"]
    autocomplete_fields = ["from_company", "to_company", "source"]
    list_select_related = ["from_company", "to_company", "source"]
