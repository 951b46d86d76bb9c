"""The archive's revision counter, with its one row."""

import django.utils.timezone
from django.db import migrations, models

import meetings.models


def create_row(apps, schema_editor):
    ArchiveRevision = apps.get_model("meetings", "ArchiveRevision")
    ArchiveRevision.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": django.utils.timezone.now()})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0009_search_sample_indexes")]

    operations = [
        migrations.CreateModel(
            name="ArchiveRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(default=meetings.models.modification_time)),
            ],
            options={"verbose_name": "archive revision", "verbose_name_plural": "archive revisions"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
