"""
Root URLconf. Public pages live under a language prefix with translated
paths (/fr/reunions/, /en/meetings/); the admin stays where staff expect it.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from meetings import views

urlpatterns = [
    path("", views.choose_language, name="root"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("meetings.urls")),
    prefix_default_language=True,
)

handler404 = "meetings.views.page_not_found"
