"""The Editors group: staff who keep the archive's content, and nothing else."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

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


def ensure_editors_group(using=DEFAULT_DB_ALIAS):
    """Create the Editors group, or set its permissions back to exactly these."""
    # During the first migrate of an empty database, this runs before
    # django.contrib.auth has created the permissions of these apps (its
    # post_migrate handler is connected after ours, and reversion's models
    # come later still). Creating them here first is idempotent.
    for label in ("meetings", "reversion"):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    group, _created = Group.objects.using(using).get_or_create(name=EDITORS)
    group.permissions.set(editor_permissions().using(using))
    return group
