from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from claims.api import api
from claims.feeds import SITEMAPS

urlpatterns = [
    path("admin/tools/", include("claims.editor_urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Lazy and temporary: the hashed name of the icon is known once collectstatic has run, and
    # changes when the icon does.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    path("", include("claims.urls")),
]
