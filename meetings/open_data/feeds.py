"""
Atom feeds, in the language of their address: the meetings, newest first,
and the recommendations any search finds, newest meeting first.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.search.forms import SearchForm
from meetings.search.queryset import matching_recommendations

FEED_LENGTH = 50


def meeting_day(meeting):
    """The meeting's date as the start of that day, in the archive's time zone."""
    return timezone.make_aware(datetime.datetime.combine(meeting.date, datetime.time()))


class ArchiveFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return _("Service Advisory Committee")

    def item_updateddate(self, item):
        return self.item_meeting(item).modified_at

    def item_pubdate(self, item):
        return meeting_day(self.item_meeting(item))


class MeetingFeed(ArchiveFeed):
    """The published meetings, newest first."""

    def title(self):
        return _("Service Advisory Committee: meeting summaries")

    def subtitle(self):
        return _("The newest meeting summaries of the Service Advisory Committee.")

    def link(self):
        return reverse("meetings:index")

    def items(self):
        return Meeting.objects.published().order_by("-date", "-pk")[:FEED_LENGTH]

    def item_meeting(self, meeting):
        return meeting

    def item_title(self, meeting):
        return meeting.title

    def item_description(self, meeting):
        # Atom's summary is HTML: the text is escaped so that it reads as written.
        return escape(meeting.objective)


class SearchFeed(ArchiveFeed):
    """The recommendations a search finds, newest meeting first.

    Takes the search page's parameters (q, lang, year, meeting); without a
    query, it lists the newest recommendations.
    """

    def __call__(self, request, *args, **kwargs):
        form = SearchForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(_("This search could not be read"), content_type="text/plain")
        return super().__call__(request, form=form)

    def get_object(self, request, form):
        return form

    def search_parameters(self, form):
        data = form.cleaned_data
        parameters = {"q": data["q"], "lang": data["lang"], "year": data["year"], "meeting": data["meeting"]}
        return {name: value for name, value in parameters.items() if value}

    def title(self, form):
        if form.cleaned_data["q"]:
            return _("Recommendations matching “%(query)s”") % {"query": form.cleaned_data["q"]}
        return _("Latest recommendations")

    def link(self, form):
        parameters = self.search_parameters(form)
        return reverse("meetings:search") + (f"?{urlencode(parameters)}" if parameters else "")

    def feed_url(self, form):
        parameters = self.search_parameters(form)
        return reverse("meetings:search_feed") + (f"?{urlencode(parameters)}" if parameters else "")

    def items(self, form):
        options = form.search_options()
        matches = matching_recommendations(
            form.cleaned_data["q"],
            translation.get_language(),
            only_page_language=options["only_page_language"],
            sort="newest",
            year=options["year"],
            meeting=options["meeting"],
        )
        return matches.queryset[:FEED_LENGTH]

    def item_meeting(self, recommendation):
        return recommendation.theme.meeting

    def item_title(self, recommendation):
        return Truncator(recommendation.text).words(16)

    def item_description(self, recommendation):
        return escape(recommendation.text)

    def item_categories(self, recommendation):
        return [recommendation.theme.title]

    def item_link(self, recommendation):
        return recommendation.get_absolute_url()
