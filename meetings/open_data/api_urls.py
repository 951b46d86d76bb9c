"""The API's addresses, under /api/v1/ (not language-prefixed: every answer holds both languages)."""

from django.urls import path, re_path

from ccs_archive.http_caching import cache_policy
from meetings.conditional import conditional_page

from . import api

# Reads carry the archive's validators (the OpenAPI description is the code's own);
# a search is kept for less time.
page = conditional_page()

app_name = "api"

urlpatterns = [
    path("", page(api.api_root), name="root"),
    path("openapi.json", cache_policy("page")(api.openapi), name="openapi"),
    path("meetings/", page(api.meeting_list), name="meetings"),
    path("meetings/<int:pk>/", page(api.meeting_detail), name="meeting"),
    path("recommendations/", conditional_page("search")(api.recommendation_list), name="recommendations"),
    path("recommendations/<int:pk>/", page(api.recommendation_detail), name="recommendation"),
    path("committees/", page(api.committee_list), name="committees"),
    path("committees/<slug:code>/", page(api.committee_detail), name="committee"),
    re_path(r"^(?P<path>.*)$", api.not_found, name="not_found"),
]
