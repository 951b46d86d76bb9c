"""Keep each meeting's "modified" time current when what it holds changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Meeting, Recommendation, Theme, modification_time


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
