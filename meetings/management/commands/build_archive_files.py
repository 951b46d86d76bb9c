from django.core.management.base import BaseCommand

from meetings.open_data.archive_files import ARCHIVE_FILES, build_while_stale, mark_stale


class Command(BaseCommand):
    help = (
        "Write the whole-archive downloads (CSV and JSON, each language and both) to "
        "ARCHIVE_FILES_ROOT. The site runs it after each change; run it after a bulk load."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale", action="store_true", help="Only if a change has been made since the last build."
        )

    def handle(self, *args, if_stale=False, **options):
        if not if_stale:
            mark_stale()
        if build_while_stale():
            for archive_file in ARCHIVE_FILES:
                self.stdout.write(f"wrote {archive_file.path}")
        elif not if_stale:
            self.stdout.write("Another build is running; it will include every change.")
