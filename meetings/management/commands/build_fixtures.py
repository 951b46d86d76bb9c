from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.importing.archive_fixture import ShapeMismatch, build_fixture_text
from meetings.importing.parsing import ParseError


class Command(BaseCommand):
    help = "Rebuild fixtures/archive.json from the French source page and its English translation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write; exit with an error if the committed fixture is out of date.",
        )

    def handle(self, *args, check=False, **options):
        try:
            text = build_fixture_text(settings.ARCHIVE_SOURCE_DIR)
        except (ParseError, ShapeMismatch) as exc:
            raise CommandError(str(exc)) from exc
        path = settings.ARCHIVE_FIXTURE
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run 'manage.py build_fixtures'.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
