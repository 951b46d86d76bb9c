import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.loading import load_records
from meetings.open_data.archive_files import build_while_stale, mark_stale


class Command(BaseCommand):
    help = (
        "Load the archive fixture. Missing rows are created; rows edited since are left "
        "alone and listed, unless --overwrite is given. Runs in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", nargs="?", default=str(settings.ARCHIVE_FIXTURE))
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace rows whose content differs from the fixture (staff edits are lost).",
        )

    def handle(self, *args, fixture, overwrite=False, **options):
        try:
            with open(fixture, encoding="utf-8") as handle:
                records = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {fixture}: {exc}") from exc
        report = load_records(records, overwrite=overwrite)
        for line in report.kept:
            self.stdout.write(self.style.WARNING(f"left alone (edited): {line}"))
        for line in report.overwritten:
            self.stdout.write(self.style.WARNING(f"overwritten: {line}"))
        self.stdout.write(self.style.SUCCESS(f"Archive loaded: {report.summary()}."))
        # The whole-archive downloads, written here rather than by a process in the background.
        mark_stale()
        build_while_stale()
