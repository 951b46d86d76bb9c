"""
Keep each meeting's "modified" time and the archive's revision current when
what the public pages show changes.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import ArchiveRevision, Committee, Meeting, Recommendation, Subject, Theme, modification_time
from .open_data.archive_files import rebuild_archive_files


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


# The revision moves in the change's own transaction, so that a page's
# validators (ETag, Last-Modified) and the cached sitemaps' key change exactly
# when what they describe does, and a rollback undoes both. The whole-archive
# downloads are files: have them rewritten once the change is committed, so
# that they never show what a rollback undid.


@receiver(post_save, sender=Committee)
@receiver(post_delete, sender=Committee)
@receiver(post_save, sender=Meeting)
@receiver(post_delete, sender=Meeting)
@receiver(post_save, sender=Theme)
@receiver(post_delete, sender=Theme)
@receiver(post_save, sender=Recommendation)
@receiver(post_delete, sender=Recommendation)
@receiver(post_save, sender=Subject)
@receiver(post_delete, sender=Subject)
def archive_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        ArchiveRevision.record_change()
        refresh_on_commit()


@receiver(m2m_changed, sender=Recommendation.subjects.through)
def subjects_changed(sender, instance, action, **kwargs):
    # The downloads name each recommendation's subjects.
    if action.startswith("post_"):
        ArchiveRevision.record_change()
        refresh_on_commit()


def refresh_on_commit():
    """Once per transaction, however many rows it changes (a load changes hundreds)."""
    waiting = transaction.get_connection().run_on_commit
    if not any(entry[1] is _refresh for entry in waiting):
        transaction.on_commit(_refresh)


def _refresh():
    rebuild_archive_files()
