"""
Root URLconf. Public pages live under a language prefix with translated
paths (/fr/reunions/, /en/meetings/); the admin stays where staff expect it,
and so do robots.txt, the sitemap and the API, which serve both languages.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from ccs_archive import health
from meetings import views
from meetings.open_data import api, sitemaps
from meetings.open_data import views as open_data_views

urlpatterns = [
    path("", views.choose_language, name="root"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("robots.txt", open_data_views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemaps.section, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap_section"),
    path("api/v1/", include("meetings.open_data.api_urls")),
    # Any other version or address under /api/ answers in JSON too.
    re_path(r"^api(?:/|$)", api.not_found),
]

urlpatterns += i18n_patterns(
    path("", include("meetings.urls")),
    prefix_default_language=True,
)

handler404 = "meetings.views.page_not_found"
handler500 = "ccs_archive.views.server_error"
