from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import views
from .converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")

app_name = "meetings"

urlpatterns = [
    path("", views.language_home, name="home"),
    path(_("meetings/"), views.MeetingIndexView.as_view(), name="index"),
    path(_("meetings/<int:year>/"), views.MeetingYearView.as_view(), name="year"),
    path(_("meetings/<isodate:date>-<slug:slug>/"), views.meeting_detail, name="detail"),
    path(_("search/"), views.search, name="search"),
]
