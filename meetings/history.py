"""The edit history that django-reversion records, and reading it."""

from dataclasses import dataclass

import reversion


def register_models():
    """Record every change of the archive's content.

    Called from AppConfig.ready(), after modeltranslation has added the
    ``_fr`` and ``_en`` fields: registering at class creation would store
    only the fields that existed then, and lose the translations.
    Each revision holds a snapshot of the whole meeting (themes and
    recommendations follow each other), so that a deleted meeting comes back
    with everything it held.
    """
    from .models import Committee, Meeting, Recommendation, Subject, Theme

    reversion.register(Committee)
    reversion.register(Subject)
    reversion.register(Meeting, follow=("themes",))
    reversion.register(Theme, follow=("meeting", "recommendations"))
    reversion.register(Recommendation, follow=("theme",))


@dataclass
class FieldChange:
    name: str
    before: object
    after: object


def compare_versions(older, newer):
    """The fields whose stored value differs between two versions of one object."""
    before, after = older.field_dict, newer.field_dict
    return [
        FieldChange(name, before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]
