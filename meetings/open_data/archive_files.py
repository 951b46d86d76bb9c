"""
The whole-archive downloads, written to files ahead of time.

Listing every published recommendation takes longer than a web request may
(minutes at a million), so the footer's downloads are files: one per
format, page language and choice of languages (the page's, or ``lang=all``),
served with ``ETag`` and ``Last-Modified`` at the same address as a search's
download. ``write_archive_files()`` writes them all in one pass over the
database, each to a temporary file renamed into place, so a visitor never
gets half a file.

They are rewritten after every committed change to what is published
(``rebuild_archive_files()``, from the signals), by ``load_archive``, and
by ``manage.py build_archive_files``. A web process does not write them
itself: it starts that command in the background, and a lock lets one run
at a time; a change made during a run makes it run again.
"""

import csv
import fcntl
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation
from modeltranslation.settings import AVAILABLE_LANGUAGES

from meetings.models import Recommendation
from meetings.search.engine import orm_ordering

from .exports import JSON_TAIL, _Line, csv_head, csv_line, json_head, json_record
from .serializers import ArchiveSerializer

# Rows fetched from the database at a time while the files are written.
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ArchiveFile:
    export_format: str  # "csv" or "json"
    language: str  # the page's language: headers, and the text without lang=all
    all_languages: bool

    @property
    def languages(self):
        return tuple(AVAILABLE_LANGUAGES) if self.all_languages else (self.language,)

    @property
    def path(self):
        suffix = "-all" if self.all_languages else ""
        return (
            Path(settings.ARCHIVE_FILES_ROOT)
            / f"recommendations-{self.language}{suffix}.{self.export_format}"
        )

    def parameters(self):
        """What a JSON download of the whole archive says it was asked for."""
        return {
            "q": None,
            "lang": "all" if self.all_languages else None,
            "sort": None,
            "year": None,
            "meeting": None,
            "problem": None,
        }


ARCHIVE_FILES = [
    ArchiveFile(export_format, language, all_languages)
    for export_format in ("csv", "json")
    for language in AVAILABLE_LANGUAGES
    for all_languages in (False, True)
]


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def whole_archive():
    return (
        Recommendation.objects.published()
        .select_related("theme__meeting")
        .prefetch_related("subjects")
        .order_by(*orm_ordering("newest"))
        .iterator(chunk_size=CHUNK_SIZE)
    )


def write_archive_files():
    """Write every whole-archive file from the database, in one pass over it."""
    root = Path(settings.ARCHIVE_FILES_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    serializers = {
        languages: ArchiveSerializer(site_url, languages)
        for languages in {f.languages for f in ARCHIVE_FILES}
    }
    writer = csv.writer(_Line())
    with ExitStack() as stack:
        outputs = []
        for archive_file in ARCHIVE_FILES:
            handle = stack.enter_context(
                tempfile.NamedTemporaryFile(
                    "w", encoding="utf-8", newline="", dir=root, prefix=".building-", delete=False
                )
            )
            stack.callback(_remove_if_left, handle.name)
            serializer = serializers[archive_file.languages]
            with translation.override(archive_file.language):
                if archive_file.export_format == "csv":
                    handle.write(csv_head(serializer))
                else:
                    handle.write(json_head(serializer, archive_file.parameters()))
            outputs.append((archive_file, handle, serializer))

        first = True
        for recommendation in whole_archive():
            # A line depends on the format and the languages only: write it once for each.
            lines = {}
            for archive_file, handle, serializer in outputs:
                key = (archive_file.export_format, archive_file.languages)
                if key not in lines:
                    if archive_file.export_format == "csv":
                        lines[key] = csv_line(recommendation, serializer, writer)
                    else:
                        lines[key] = json_record(recommendation, serializer, first)
                handle.write(lines[key])
            first = False

        for archive_file, handle, _serializer in outputs:
            if archive_file.export_format == "json":
                handle.write(JSON_TAIL)
            handle.flush()
            os.fchmod(handle.fileno(), 0o644)
            handle.close()
            os.replace(handle.name, archive_file.path)


def _remove_if_left(name):
    try:
        os.remove(name)
    except FileNotFoundError:
        pass


# Rebuilding after a change


def _marker(name):
    root = Path(settings.ARCHIVE_FILES_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root / name


@contextmanager
def build_lock():
    """Hold the builders' lock, or yield False at once if another build holds it."""
    with open(_marker(".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def mark_stale():
    _marker(".stale").touch()


def build_while_stale():
    """
    Write the files while a change is waiting for them. A change committed
    while another process builds only leaves the "stale" marker behind; the
    builder sees it and writes the files again.
    """
    stale = _marker(".stale")
    built = False
    while stale.exists():
        with build_lock() as acquired:
            if not acquired:
                return built
            stale.unlink(missing_ok=True)
            write_archive_files()
            built = True
    return built


_builder = None


def rebuild_archive_files():
    """Have the files rewritten, now (``ARCHIVE_FILES_REBUILD = "inline"``) or in the background."""
    global _builder
    mark_stale()
    if settings.ARCHIVE_FILES_REBUILD == "inline":
        build_while_stale()
        return
    if _builder is not None and _builder.poll() is None:
        return  # It will see the marker.
    # A fixed command line: this interpreter and this project's manage.py, no outside input.
    _builder = subprocess.Popen(  # noqa: S603
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "build_archive_files", "--if-stale"],
        cwd=settings.BASE_DIR,
        stdin=subprocess.DEVNULL,
        # Its own session: it finishes even if this worker is replaced.
        start_new_session=True,
    )
