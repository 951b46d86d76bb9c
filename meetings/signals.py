"""Keep each meeting's "modified" time current when what it holds changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Committee, Meeting, Recommendation, Theme, modification_time
from .open_data import sitemaps
from .open_data.archive_files import rebuild_archive_files
from .search.vocabulary import add_search_terms


def _touch_meeting(**lookup):
    Meeting.objects.filter(**lookup).update(modified_at=modification_time())


@receiver(post_save, sender=Theme)
@receiver(post_delete, sender=Theme)
def theme_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _touch_meeting(pk=instance.meeting_id)


@receiver(post_save, sender=Recommendation)
@receiver(post_delete, sender=Recommendation)
def recommendation_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _touch_meeting(themes__pk=instance.theme_id)


# New words of published text join the "Did you mean" vocabulary. (A fixture
# or a backup being loaded brings its own vocabulary: raw saves are skipped.)
# Words of drafts stay out; suggestions are also checked against published
# content before they are shown, which covers text deleted or unpublished since.


@receiver(post_save, sender=Recommendation)
def recommendation_words(sender, instance, raw=False, **kwargs):
    if not raw and Meeting.objects.published().filter(themes__pk=instance.theme_id).exists():
        add_search_terms({"fr": [instance.text_fr], "en": [instance.text_en]})


@receiver(post_save, sender=Theme)
def theme_words(sender, instance, raw=False, **kwargs):
    if not raw and Meeting.objects.published().filter(pk=instance.meeting_id).exists():
        add_search_terms({"fr": [instance.title_fr], "en": [instance.title_en]})


@receiver(post_save, sender=Meeting)
def meeting_words(sender, instance, raw=False, **kwargs):
    if not raw and instance.is_published:
        add_search_terms({"fr": [instance.title_fr], "en": [instance.title_en]})


# The whole-archive downloads are files, and the sitemaps are cached: have
# them rewritten once the change is committed, so that they never show what a
# rollback undid.


@receiver(post_save, sender=Committee)
@receiver(post_delete, sender=Committee)
@receiver(post_save, sender=Meeting)
@receiver(post_delete, sender=Meeting)
@receiver(post_save, sender=Theme)
@receiver(post_delete, sender=Theme)
@receiver(post_save, sender=Recommendation)
@receiver(post_delete, sender=Recommendation)
def archive_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        transaction.on_commit(sitemaps.archive_changed)
        transaction.on_commit(rebuild_archive_files)
