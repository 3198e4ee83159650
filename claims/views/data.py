"""The data page: every way to take the data out, and the whole data set as one zip."""

from __future__ import annotations

import os

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims import export
from claims.models import Company
from claims.status import METHODOLOGY_VERSION
from claims.views.common import page_context, public_page


@public_page
def data_page(request: HttpRequest) -> HttpResponse:
    context = page_context(request)
    context.update(
        example=Company.objects.order_by("name", "pk").only("name", "slug").first(),
        methodology_version=METHODOLOGY_VERSION,
        zip_name=export.FILENAME,
    )
    return render(request, "claims/data.html", context)


@require_safe
def data_zip(request: HttpRequest) -> FileResponse:
    """The zip of every table, built once per data version and day, then served from its
    file; the file is opened before anything can remove it."""
    site = request.build_absolute_uri("/").rstrip("/")
    path, kept = export.zip_path(site=site)
    try:
        file = path.open("rb")
    except FileNotFoundError:  # removed by a newer build between the two lines
        path, kept = export.zip_path(site=site)
        file = path.open("rb")
    if not kept:
        os.unlink(path)  # the open file is still read to the end
    response = FileResponse(file, as_attachment=True, filename=export.FILENAME)
    response["Cache-Control"] = "no-cache"
    return response
