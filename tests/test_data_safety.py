"""Backups restore to identical pages; migrations run backwards; bulk work is all or nothing."""

import io
import os
import subprocess
import sys
import tempfile

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from reversion.models import Revision

from meetings.models import Committee, Meeting, Recommendation, SearchTerm

pytestmark = pytest.mark.django_db

BACKUP_MODELS = ["meetings", "reversion", "auth.user", "auth.group"]
PAGES = [
    "/fr/reunions/",
    "/en/meetings/",
    "/fr/reunions/2022/",
    "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/",
    "/en/meetings/2022-01-31-data-in-support-of-business-transformation-the-integrated-service-coordination/",
    "/fr/recherche/?q=donn%C3%A9es&year=2022",
    "/en/search/?q=artificial+intelligence",
    "/fr/recherche/?q=numerik",
]


def render_all(client):
    pages = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode()
    return pages


def test_a_backup_restores_to_identical_pages(client, tmp_path):
    before = render_all(client)
    backup = tmp_path / "backup.json"
    call_command("dumpdata", *BACKUP_MODELS, natural_foreign=True, natural_primary=True, output=str(backup))

    # An empty archive.
    Revision.objects.all().delete()
    Meeting.objects.all().delete()
    Committee.objects.all().delete()
    SearchTerm.objects.all().delete()
    assert "3 octobre 2023" not in client.get("/fr/reunions/").content.decode()

    call_command("loaddata", str(backup), verbosity=0)
    assert Recommendation.objects.count() == 108
    assert render_all(client) == before


def _on_server(statement):
    """Run a statement outside any transaction (CREATE DATABASE cannot run in one)."""
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname="postgres", autocommit=True
    ) as server:
        server.execute(statement)


def test_migrations_run_backwards_and_forwards():
    """On a database of its own: migrate, unmigrate the app, migrate again."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DEBUG"] = "1"
    database = None
    with tempfile.TemporaryDirectory() as folder:
        if connection.vendor == "postgresql":
            database = f"ccs_migrations_{os.getpid()}"
            _on_server(f'CREATE DATABASE "{database}"')
            params = connection.settings_dict
            env["DATABASE_URL"] = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{database}"
        else:
            env["DATABASE_URL"] = f"sqlite:///{folder}/migrations.sqlite3"
        try:
            for args in (["migrate"], ["migrate", "meetings", "zero"], ["migrate"]):
                result = subprocess.run(
                    [sys.executable, "manage.py", *args, "--noinput", "-v", "0"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert result.returncode == 0, result.stderr
        finally:
            if database:
                _on_server(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_an_import_interrupted_midway_changes_nothing(records, monkeypatch):
    from meetings.importing import loading

    Recommendation.objects.filter(theme__meeting__date="2021-11-29").delete()
    Meeting.objects.filter(date="2022-04-13").delete()
    before = list(Recommendation.objects.order_by("pk").values_list("pk", "text_fr"))
    saved = []
    original_save = Recommendation.save

    def failing_save(self, *args, **kwargs):
        saved.append(self)
        if len(saved) == 10:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Recommendation, "save", failing_save)
    with pytest.raises(RuntimeError, match="disk full"):
        loading.load_records(records)
    assert len(saved) == 10
    assert list(Recommendation.objects.order_by("pk").values_list("pk", "text_fr")) == before
    assert not Meeting.objects.filter(date="2022-04-13").exists()


def test_dumpdata_command_is_documented():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "dumpdata meetings reversion auth.user auth.group" in readme
    assert "pg_dump" in readme


def test_backup_file_is_valid_json(tmp_path):
    out = io.StringIO()
    call_command("dumpdata", "meetings.committee", natural_foreign=True, natural_primary=True, stdout=out)
    assert '"code": "ccs"' in out.getvalue()
