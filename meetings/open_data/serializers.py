"""
The archive's objects as plain, JSON-ready data, for the API and downloads.

Every translated text is an object keyed by language, ``{"fr": …, "en": …}``,
and every link is absolute, one per language. Field names are spelt out
(``title_fr``, ``text_en``): the active language plays no part here.
"""

from django.urls import reverse
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from meetings.languages import urls_in_each_language


class ArchiveSerializer:
    """Turns committees, meetings, themes and recommendations into dicts.

    ``absolute_url`` turns a path into a full URL (``request.build_absolute_uri``);
    ``languages`` are the languages each text is given in.
    """

    def __init__(self, absolute_url, languages=AVAILABLE_LANGUAGES):
        self.absolute_url = absolute_url
        self.languages = tuple(languages)
        # The last meeting's page addresses: lists and downloads come meeting
        # by meeting, and reversing URLs was most of a download's time.
        self._meeting_urls = (None, None)

    def translated(self, obj, field):
        return {code: getattr(obj, build_localized_fieldname(field, code)) or "" for code in self.languages}

    def page_urls(self, url_name, *args, **kwargs):
        paths = urls_in_each_language(url_name, args, kwargs, self.languages)
        return {code: self.absolute_url(path) for code, path in paths.items()}

    def api_url(self, url_name, *args):
        return self.absolute_url(reverse(f"api:{url_name}", args=args))

    def committee(self, committee):
        return {
            "id": committee.pk,
            "code": committee.code,
            "name": self.translated(committee, "name"),
            "acronym": self.translated(committee, "acronym"),
            "department": self.translated(committee, "department"),
            "disclaimer": self.translated(committee, "disclaimer"),
            "original_language": committee.original_language,
            "url": self.page_urls("meetings:index"),
            "meetings_url": f"{self.api_url('meetings')}?committee={committee.code}",
        }

    def meeting_urls(self, meeting):
        pk, urls = self._meeting_urls
        if pk != meeting.pk:
            urls = {code: self.absolute_url(meeting.get_absolute_url(code)) for code in self.languages}
            self._meeting_urls = (meeting.pk, urls)
        return urls

    def recommendation_urls(self, recommendation):
        """The recommendation's permalinks: its meeting's page, at its anchor."""
        meeting_urls = self.meeting_urls(recommendation.theme.meeting)
        return {code: f"{url}#{recommendation.anchor}" for code, url in meeting_urls.items()}

    def subjects(self, recommendation):
        """The subjects a recommendation is indexed under (``prefetch_related("subjects")``)."""
        return [
            {
                "slug": self.translated(subject, "slug"),
                "name": self.translated(subject, "name"),
                "url": {code: self.absolute_url(subject.get_absolute_url(code)) for code in self.languages},
            }
            for subject in recommendation.subjects.all()
        ]

    def meeting_reference(self, meeting):
        """The little a recommendation says about its meeting."""
        return {
            "id": meeting.pk,
            "date": meeting.date.isoformat(),
            "title": self.translated(meeting, "title"),
            "url": self.meeting_urls(meeting),
            "api_url": self.api_url("meeting", meeting.pk),
        }

    def meeting(self, meeting):
        """A meeting in a list; ``meeting`` carries ``with_counts()``'s annotations."""
        return {
            **self.meeting_reference(meeting),
            "committee": meeting.committee.code,
            "objective": self.translated(meeting, "objective"),
            "modified_at": meeting.modified_at.isoformat(),
            "theme_count": meeting.theme_count,
            "recommendation_count": meeting.recommendation_count,
        }

    def meeting_detail(self, meeting):
        """A meeting with its themes and their recommendations (``with_contents()``)."""
        urls = self.meeting_urls(meeting)
        themes = []
        for theme in meeting.themes.all():
            recommendations = [
                {
                    "id": recommendation.pk,
                    "position": recommendation.position,
                    "text": self.translated(recommendation, "text"),
                    "url": self.recommendation_urls(recommendation),
                    "api_url": self.api_url("recommendation", recommendation.pk),
                    "subjects": self.subjects(recommendation),
                }
                for recommendation in theme.recommendations.all()
            ]
            themes.append(
                {
                    "id": theme.pk,
                    "position": theme.position,
                    "title": self.translated(theme, "title"),
                    "url": {code: f"{url}#{theme.anchor}" for code, url in urls.items()},
                    "recommendations": recommendations,
                }
            )
        return {
            **self.meeting_reference(meeting),
            "committee": self.committee(meeting.committee),
            "objective": self.translated(meeting, "objective"),
            "modified_at": meeting.modified_at.isoformat(),
            "themes": themes,
        }

    def recommendation(self, recommendation):
        """A recommendation with its theme, meeting and subjects (``select_related("theme__meeting")``,
        ``prefetch_related("subjects")``)."""
        theme = recommendation.theme
        return {
            "id": recommendation.pk,
            "position": recommendation.position,
            "text": self.translated(recommendation, "text"),
            "url": self.recommendation_urls(recommendation),
            "api_url": self.api_url("recommendation", recommendation.pk),
            "theme": {"id": theme.pk, "position": theme.position, "title": self.translated(theme, "title")},
            "meeting": self.meeting_reference(theme.meeting),
            "subjects": self.subjects(recommendation),
        }
