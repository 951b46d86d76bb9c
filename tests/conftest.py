import json

import pytest
from django.conf import settings

from meetings.loading import load_records


def archive_records():
    return json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real archive once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        load_records(archive_records())


@pytest.fixture
def records():
    return archive_records()


@pytest.fixture
def source_text():
    def read(language):
        path = settings.ARCHIVE_SOURCE_DIR / f"ccs-meeting-summaries.{language}.txt"
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture
def newest_meeting(db):
    from meetings.models import Meeting

    return Meeting.objects.get(date="2023-10-03")
