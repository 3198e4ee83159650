"""The admin's workbook pages: import (a preview, then a confirmation), export, template."""

from __future__ import annotations

import base64

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from claims.imports import ImportStep, preview_or_import
from claims.workbook.export import TEMPLATE_SHEETS, export_sheets
from claims.workbook.plan import import_workbook
from claims.workbook.sheets import (
    MAX_BYTES,
    SHEETS,
    WorkbookFileError,
    read_workbook,
    write_csv_zip,
    write_xlsx,
)

MODELS = ("company", "companyrelation", "facility", "milestone", "source", "claim")
#: An editor imports and exports workbooks who may add and change every record type in them.
PERMISSIONS = tuple(f"claims.{action}_{m}" for m in MODELS for action in ("add", "change"))
UPLOAD_KIND = "claims.workbook"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied


class WorkbookForm(forms.Form):
    """A workbook to preview, or the token of a previewed one to confirm (kept on the server)."""

    file = forms.FileField(required=False, label="Workbook (.xlsx, or a .zip of CSV files)")
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError("The file is larger than 5 MB: split it.")
            data["content"] = upload.read()
        elif not data.get("token"):
            raise forms.ValidationError("Choose a workbook to import.")
        return data


def import_view(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    step = ImportStep()
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data.get("content")
        step = preview_or_import(
            user_id=request.user.pk,
            kind=UPLOAD_KIND,
            # Kept as text: the workbook's bytes in base64.
            upload=None if content is None else base64.b64encode(content).decode("ascii"),
            token=form.cleaned_data["token"],
            run=lambda text, dry_run: import_workbook(
                sheets=read_workbook(base64.b64decode(text)), dry_run=dry_run, user=request.user
            ),
            file_error=WorkbookFileError,
            gone="This preview has expired or is not yours: upload the workbook again.",
        )
        if step.report and step.report.saved:
            messages.success(request, f"Workbook imported: {step.report.summary}")
            return redirect("admin:index")
    context = {
        **admin.site.each_context(request),
        "title": "Import a workbook",
        "form": form,
        "report": step.report,
        "error": step.error,
        "token": step.token,
        "sheets": SHEETS,
    }
    return TemplateResponse(request, "admin/claims/workbook_import.html", context)


@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """Every record as the workbook the import reads: ?format=zip for CSV files."""
    _allowed(request)
    sheets = export_sheets()
    if request.GET.get("format") == "zip":
        return _download(write_csv_zip(sheets), "ssb-tracker-workbook.zip", "application/zip")
    return _download(write_xlsx(sheets), "ssb-tracker-workbook.xlsx", XLSX)


@require_GET
def template_view(request: HttpRequest) -> HttpResponse:
    """The workbook with one example row per sheet and a README sheet guiding each column."""
    _allowed(request)
    return _download(write_xlsx(TEMPLATE_SHEETS, guide=True), "ssb-tracker-template.xlsx", XLSX)


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
