from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import views
from .conditional import conditional_page
from .converters import IsoDateConverter
from .open_data import feeds
from .open_data import views as open_data_views

register_converter(IsoDateConverter, "isodate")

app_name = "meetings"

urlpatterns = [
    path("", views.language_home, name="home"),
    path(_("meetings/"), conditional_page()(views.MeetingIndexView.as_view()), name="index"),
    path(_("meetings/<int:year>/"), conditional_page()(views.MeetingYearView.as_view()), name="year"),
    path(_("meetings/<isodate:date>-<slug:slug>/"), views.meeting_detail, name="detail"),
    path(_("search/"), views.search, name="search"),
    path(_("subjects/"), views.subject_index, name="subjects"),
    path(_("subjects/<slug:slug>/"), views.subject_detail, name="subject"),
    path(_("meetings/feed/"), conditional_page()(feeds.MeetingFeed()), name="feed"),
    path(_("search/feed/"), conditional_page("search")(feeds.SearchFeed()), name="search_feed"),
    path(_("about/"), views.about, name="about"),
    path(_("open-data/"), open_data_views.open_data, name="open_data"),
    path(
        _("open-data/recommendations.csv"),
        open_data_views.export_recommendations,
        {"export_format": "csv"},
        name="export_csv",
    ),
    path(
        _("open-data/recommendations.json"),
        open_data_views.export_recommendations,
        {"export_format": "json"},
        name="export_json",
    ),
]
