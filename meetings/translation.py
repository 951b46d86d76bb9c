"""Which fields modeltranslation doubles into a column per language (``_fr``, ``_en``)."""

from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.translator import TranslationOptions, register

from .models import Committee, Meeting, Recommendation, Subject, Theme


@register(Committee)
class CommitteeTranslationOptions(TranslationOptions):
    fields = ("name", "acronym", "department", "disclaimer")
    required_languages = AVAILABLE_LANGUAGES


@register(Meeting)
class MeetingTranslationOptions(TranslationOptions):
    fields = ("title", "objective", "slug")


# A theme or a recommendation exists in both languages or not at all: an
# English page must never fall back to French text without saying so.
@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = AVAILABLE_LANGUAGES


@register(Recommendation)
class RecommendationTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = AVAILABLE_LANGUAGES


@register(Subject)
class SubjectTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "use_for", "scope_note")
    required_languages = dict.fromkeys(AVAILABLE_LANGUAGES, ("name", "slug"))
