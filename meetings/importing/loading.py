"""
Load the archive fixture into the database, safely and more than once.

Records are matched to rows by natural key, not by primary key, so that the
load works on a database where staff have added content:

- a committee by its code;
- a meeting by its committee and date;
- a theme by its meeting and position;
- a recommendation by its theme and position.

A missing row is created. A row that already holds the fixture's values is
left as it is. A row whose values differ (most likely edited by staff) is
left alone and reported, unless ``overwrite`` is true. The whole load runs
in one transaction: if anything fails, the database is as it was.
"""

from dataclasses import dataclass, field

import reversion
from django.apps import apps
from django.db import transaction
from django.utils import translation
from modeltranslation.settings import DEFAULT_LANGUAGE

# For each model: its natural key fields, and which of them point at the
# parent record (by the fixture's primary key).
NATURAL_KEYS = {
    "meetings.committee": (("code",), None),
    "meetings.meeting": (("committee", "date"), "committee"),
    "meetings.theme": (("meeting", "position"), "meeting"),
    "meetings.recommendation": (("theme", "position"), "theme"),
}


# Staff decide what is published; a reload never changes it.
NEVER_OVERWRITTEN = {"is_published"}


@dataclass
class LoadReport:
    created: int = 0
    unchanged: int = 0
    overwritten: list = field(default_factory=list)
    # Rows whose content differs from the fixture and that were left alone.
    kept: list = field(default_factory=list)

    def summary(self):
        return (
            f"{self.created} created, {self.unchanged} unchanged, "
            f"{len(self.overwritten)} overwritten, {len(self.kept)} edited rows left alone"
        )


def _describe(model_label, obj, fields):
    return f"{model_label} #{obj.pk} ({obj}): {', '.join(sorted(fields))}"


@transaction.atomic
def load_records(records, overwrite=False):
    """Create or check every record; return a ``LoadReport``.

    What it creates or overwrites is recorded in the edit history.
    """
    # The untranslated columns (``text``, ``title``...) take the default
    # language's value, whatever language the caller has active.
    with reversion.create_revision(), translation.override(DEFAULT_LANGUAGE):
        reversion.set_comment(
            "Loaded from the archive fixture." if not overwrite else "Reloaded with --overwrite."
        )
        return _load(records, overwrite)


def _load(records, overwrite):
    report = LoadReport()
    loaded = {}  # (model label, fixture pk) -> database object
    for record in records:
        label = record["model"]
        if label not in NATURAL_KEYS:
            raise ValueError(f"unexpected model in the fixture: {label}")
        model = apps.get_model(label)
        key_fields, parent_field = NATURAL_KEYS[label]
        values = {
            name: value if name == parent_field else model._meta.get_field(name).to_python(value)
            for name, value in record["fields"].items()
        }
        if parent_field:
            parent_label = f"meetings.{parent_field}"
            values[parent_field] = loaded[(parent_label, values[parent_field])]
        lookup = {name: values[name] for name in key_fields}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**values)
            obj.save()
            report.created += 1
        else:
            compared = {
                name: value
                for name, value in values.items()
                if name not in key_fields and name not in NEVER_OVERWRITTEN
            }
            _reconcile(label, obj, compared, overwrite, report)
        loaded[(label, record["pk"])] = obj
    return report


def _reconcile(label, obj, values, overwrite, report):
    """Leave ``obj`` as it is if it holds ``values``; otherwise overwrite it, or keep and report it."""
    differing = [name for name, value in values.items() if getattr(obj, name) != value]
    if not differing:
        report.unchanged += 1
    elif overwrite:
        for name in differing:
            setattr(obj, name, values[name])
        obj.save()
        report.overwritten.append(_describe(label, obj, differing))
    else:
        report.kept.append(_describe(label, obj, differing))


def _recommendation_by_key(committee, key):
    """The committee's recommendation named ``2023-10-03/2.3``: its meeting's date, then theme and position."""
    from meetings.models import Recommendation

    date, _slash, numbers = key.partition("/")
    theme_position, _dot, position = numbers.partition(".")
    return Recommendation.objects.get(
        theme__meeting__committee__code=committee,
        theme__meeting__date=date,
        theme__position=int(theme_position),
        position=int(position),
    )


@transaction.atomic
def load_subjects(data, overwrite=False):
    """Create the subject vocabulary and index the recommendations under it.

    Subjects are matched by their English slug, recommendations by their
    committee and number (``fixtures/subjects.json``). As for the archive, what staff have
    edited since (a subject's terms, a recommendation's subjects) is left as
    it is unless ``overwrite``. Returns a ``LoadReport``.
    """
    from meetings.models import Subject

    report = LoadReport()
    with reversion.create_revision(), translation.override(DEFAULT_LANGUAGE):
        reversion.set_comment("Subjects loaded from the subject fixture.")
        subjects = {}
        for entry in data["subjects"]:
            values = {
                "name_fr": entry["name_fr"],
                "name_en": entry["name_en"],
                "slug_fr": entry["slug_fr"],
                "use_for_fr": "\n".join(entry["use_for_fr"]),
                "use_for_en": "\n".join(entry["use_for_en"]),
                "scope_note_fr": entry.get("scope_fr", ""),
                "scope_note_en": entry.get("scope_en", ""),
            }
            subject = Subject.objects.filter(slug_en=entry["slug_en"]).first()
            if subject is None:
                subject = Subject.objects.create(slug_en=entry["slug_en"], **values)
                report.created += 1
            else:
                _reconcile("meetings.subject", subject, values, overwrite, report)
            subjects[entry["slug_en"]] = subject
        for entry in data["subjects"]:
            broader = subjects.get(entry.get("broader")) if entry.get("broader") else None
            subject = subjects[entry["slug_en"]]
            if subject.broader_id is None and broader is not None:
                subject.broader = broader
                subject.save(update_fields=["broader"])
        for key, slugs in data["assignments"].items():
            recommendation = _recommendation_by_key(data["committee"], key)
            wanted = {subjects[slug].pk for slug in slugs}
            current = set(recommendation.subjects.values_list("pk", flat=True))
            if current == wanted:
                continue
            if not current or overwrite:
                recommendation.subjects.set(wanted)
            else:
                report.kept.append(f"meetings.recommendation {key}: subjects")
    return report
