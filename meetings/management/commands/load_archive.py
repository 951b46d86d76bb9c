import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from meetings.importing.loading import load_records, load_subjects
from meetings.open_data.archive_files import build_while_stale, mark_stale


class Command(BaseCommand):
    help = (
        "Load the archive fixture. Missing rows are created; rows edited since are left "
        "alone and listed, unless --overwrite is given. Runs in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", nargs="?", default=str(settings.ARCHIVE_FIXTURE))
        parser.add_argument(
            "--subjects",
            default=str(settings.SUBJECTS_FIXTURE),
            help="The subject vocabulary and each recommendation's subjects (JSON).",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace rows whose content differs from the fixture (staff edits are lost).",
        )

    def handle(self, *args, fixture, subjects, overwrite=False, **options):
        records, vocabulary = read_json(fixture), read_json(subjects)
        with transaction.atomic():
            report = load_records(records, overwrite=overwrite)
            self.write_report("Archive", report)
            self.write_report("Subjects", load_subjects(vocabulary, overwrite=overwrite))
        # The whole-archive downloads, written here rather than by a process in the background.
        mark_stale()
        build_while_stale()

    def write_report(self, what, report):
        for line in report.kept:
            self.stdout.write(self.style.WARNING(f"left alone (edited): {line}"))
        for line in report.overwritten:
            self.stdout.write(self.style.WARNING(f"overwritten: {line}"))
        self.stdout.write(self.style.SUCCESS(f"{what} loaded: {report.summary()}."))


def read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
