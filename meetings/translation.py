"""Which fields modeltranslation doubles into ``_fr`` and ``_en`` columns."""

from modeltranslation.translator import TranslationOptions, register

from .models import Committee, Meeting, Recommendation, Theme


@register(Committee)
class CommitteeTranslationOptions(TranslationOptions):
    fields = ("name", "acronym", "department", "disclaimer")
    required_languages = ("fr", "en")


@register(Meeting)
class MeetingTranslationOptions(TranslationOptions):
    fields = ("title", "objective", "slug")


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("title",)


@register(Recommendation)
class RecommendationTranslationOptions(TranslationOptions):
    fields = ("text",)
