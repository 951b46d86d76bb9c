"""Which fields modeltranslation doubles into ``_fr`` and ``_en`` columns."""

from modeltranslation.translator import TranslationOptions, register

from .models import Committee, Meeting, Recommendation, Subject, Theme


@register(Committee)
class CommitteeTranslationOptions(TranslationOptions):
    fields = ("name", "acronym", "department", "disclaimer")
    required_languages = ("fr", "en")


@register(Meeting)
class MeetingTranslationOptions(TranslationOptions):
    fields = ("title", "objective", "slug")


# A theme or a recommendation exists in both languages or not at all: an
# English page must never fall back to French text without saying so.
@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("fr", "en")


@register(Recommendation)
class RecommendationTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("fr", "en")


@register(Subject)
class SubjectTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "use_for", "scope_note")
    required_languages = {"fr": ("name", "slug"), "en": ("name", "slug")}
