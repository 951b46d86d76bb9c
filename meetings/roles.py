"""The Editors group: staff who keep the archive's content, and nothing else."""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"

# Everything on the archive's content; reading the edit history. Nothing on
# users, groups or any other setting.
CONTENT_MODELS = ("committee", "meeting", "meetingslug", "theme", "recommendation", "subject")
HISTORY_MODELS = ("revision", "version")


def editor_permissions():
    content = Permission.objects.filter(
        content_type__app_label="meetings", content_type__model__in=CONTENT_MODELS
    )
    history = Permission.objects.filter(
        content_type__app_label="reversion",
        content_type__model__in=HISTORY_MODELS,
        codename__startswith="view_",
    )
    return content | history


def ensure_editors_group():
    """Create the Editors group, or set its permissions back to exactly these."""
    group, _created = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(editor_permissions())
    return group
