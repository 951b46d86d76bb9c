"""The API's addresses, under /api/v1/ (not language-prefixed: every answer holds both languages)."""

from django.urls import path, re_path

from . import api

app_name = "api"

urlpatterns = [
    path("", api.api_root, name="root"),
    path("openapi.json", api.openapi, name="openapi"),
    path("meetings/", api.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", api.meeting_detail, name="meeting"),
    path("recommendations/", api.recommendation_list, name="recommendations"),
    path("recommendations/<int:pk>/", api.recommendation_detail, name="recommendation"),
    path("committees/", api.committee_list, name="committees"),
    path("committees/<slug:code>/", api.committee_detail, name="committee"),
    re_path(r"^(?P<path>.*)$", api.not_found, name="not_found"),
]
