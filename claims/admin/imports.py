"""CSV import and export in the admin: upload, preview, confirm, and the report of bad rows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from claims.imports import CLAIM_COLUMNS, ImportFileError, ImportStep, preview_or_import

# --- CSV import and export ------------------------------------------------------------------


CLAIM_IMPORT_HELP = (
    "One claim a row, with its source. Columns: " + ", ".join(CLAIM_COLUMNS) + ". Company and "
    "milestone are matched by slug or name and must exist. Dates are given as precisely as the "
    "source gives them: 2025-11-03, 2025-11, Nov 2025, 2025-Q4, 2025-H2, 2025 or 2025年11月. "
    "standing is company (the default), partner, government or third_party: only the company "
    "and partners named on the milestone set, revise or cancel targets; others' opinions are "
    "kind view. The claims export of this admin has exactly these columns."
)


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
        step = ImportStep()
        if request.method == "POST" and form.is_valid():
            confirm = "confirm" in request.POST and not form.cleaned_data.get("text")
            step = preview_or_import(
                user_id=request.user.pk,
                kind=self.opts.label_lower,
                upload=None if confirm else form.cleaned_data["text"],
                token=form.cleaned_data["token"],
                run=lambda text, dry_run: type(self).import_function(
                    text=text, dry_run=dry_run, user=request.user
                ),
                file_error=ImportFileError,
                gone="This preview has expired or is not yours: upload the file again to preview it.",
            )
            if step.report and step.report.saved:
                self.message_user(request, f"Imported: {step.report.summary}")
                return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import {self.opts.verbose_name_plural} from CSV",
            "form": form,
            "report": step.report,
            "error": step.error,
            "token": step.token,
            "help": self.import_help,
        }
        return TemplateResponse(request, "admin/claims/import_csv.html", context)
