from django.core.management.base import BaseCommand

from meetings.search.rebuild import rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the full-text index and the suggestion vocabulary from the stored content."

    def handle(self, *args, **options):
        rebuild_search_index()
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
