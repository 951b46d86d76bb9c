"""Keep the "Did you mean" vocabulary in step with what staff publish."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from modeltranslation.settings import AVAILABLE_LANGUAGES

from meetings.models import Meeting, Recommendation, Theme

from .vocabulary import add_search_terms

# New words of published text join the "Did you mean" vocabulary. (A fixture
# or a backup being loaded brings its own vocabulary: raw saves are skipped.)
# Words of drafts stay out; suggestions are also checked against published
# content before they are shown, which covers text deleted or unpublished since.


@receiver(post_save, sender=Recommendation)
def recommendation_words(sender, instance, raw=False, **kwargs):
    if not raw and Meeting.objects.published().filter(themes__pk=instance.theme_id).exists():
        add_search_terms(_texts(instance, "text"))


@receiver(post_save, sender=Theme)
def theme_words(sender, instance, raw=False, **kwargs):
    if not raw and Meeting.objects.published().filter(pk=instance.meeting_id).exists():
        add_search_terms(_texts(instance, "title"))


@receiver(post_save, sender=Meeting)
def meeting_words(sender, instance, raw=False, **kwargs):
    if not raw and instance.is_published:
        add_search_terms(_texts(instance, "title"))


def _texts(instance, name):
    return {language: [getattr(instance, f"{name}_{language}")] for language in AVAILABLE_LANGUAGES}
