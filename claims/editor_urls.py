"""The editors' tools beside the admin: the workbook and the paste-an-article assistant.

Each page goes through the admin site's own login and staff check (admin_view) and then
checks the permissions it needs."""

from django.contrib import admin
from django.urls import path

from claims import assistant_views
from claims.workbook import views as workbook

app_name = "editor_tools"

urlpatterns = [
    path("workbook/import/", admin.site.admin_view(workbook.import_view), name="workbook_import"),
    path("workbook/export/", admin.site.admin_view(workbook.export_view), name="workbook_export"),
    path(
        "workbook/template/",
        admin.site.admin_view(workbook.template_view),
        name="workbook_template",
    ),
    path("paste-article/", admin.site.admin_view(assistant_views.paste_article), name="assistant"),
]
