from django.core.management.base import BaseCommand

from meetings.roles import ensure_editors_group


class Command(BaseCommand):
    help = (
        "Create the Editors group (or reset its permissions): archive content and its history, nothing else."
    )

    def handle(self, *args, **options):
        group = ensure_editors_group()
        self.stdout.write(self.style.SUCCESS(f"{group.name}: {group.permissions.count()} permissions."))
