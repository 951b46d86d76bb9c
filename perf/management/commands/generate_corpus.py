"""
Load a synthetic archive (see ``perf/corpus.py``) for performance work.

The rows go in by batches, in one transaction. Bulk inserts bypass the
signals and, where it is faster, the search triggers, so the command builds
the search index itself and leaves it exactly as the triggers would have:

- PostgreSQL: recommendations are copied (COPY) into a temporary table, then
  inserted with their ``search_fr``/``search_en`` vectors computed in the
  same statement, the trigger that would compute them row by row disabled;
  the vectors of a theme's and a meeting's titles are computed once per
  batch, not once per recommendation. The two GIN indexes are dropped during
  the load and built once at the end, then the tables are analysed.
- SQLite: the FTS5 triggers fill the index row by row, as usual; during the
  load ``ccs_fold`` is registered with a memory of how each space-separated
  chunk folds, because the same few thousand words are folded millions of
  times.

Then the "Did you mean" vocabulary is rebuilt, from published text only.
"""

import json
import time
from contextlib import contextmanager
from dataclasses import asdict
from functools import cache

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import translation
from modeltranslation import settings as modeltranslation_settings

from meetings.models import ArchiveRevision, Committee, Meeting, Recommendation, SearchTerm, Theme
from meetings.search.backends import get_backend
from meetings.search.backends import sqlite as sqlite_backend
from meetings.search.text import fold
from meetings.search.vocabulary import rebuild_search_terms
from perf.corpus import generate_corpus

# Row-by-row work that the PostgreSQL load does itself, set-based: computing
# a recommendation's vectors and its copies of the meeting's sort keys, and
# reindexing the recommendations of a new theme or meeting (which has none
# when it is inserted).
BYPASSED_TRIGGERS = [
    ("meetings_recommendation", "meetings_recommendation_search_vectors"),
    ("meetings_recommendation", "meetings_recommendation_sort_keys"),
    ("meetings_theme", "meetings_theme_reindex_on_insert"),
    ("meetings_meeting", "meetings_meeting_reindex_on_insert"),
]


class Command(BaseCommand):
    help = (
        "Add a synthetic archive of N recommendations, written in the style of the real one, "
        "for performance work. The same seed gives the same corpus. Runs in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=10_000,
            metavar="B",
            help="Recommendations written per batch (default 10000).",
        )
        parser.add_argument(
            "--committees",
            type=int,
            default=None,
            help="How many committees (default: one per 5000, at least 24).",
        )

    def handle(self, *args, recommendations, seed, batch_size, committees, verbosity=1, **options):
        if recommendations < 1 or batch_size < 1 or (committees is not None and committees < 1):
            raise CommandError("--recommendations, --batch-size and --committees must be positive.")
        loaders = {"postgresql": PostgresCorpusLoader, "sqlite": SqliteCorpusLoader}
        if connection.vendor not in loaders:
            raise CommandError(f"No corpus loader for {connection.vendor}.")
        try:
            records = json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {settings.ARCHIVE_FIXTURE}: {exc}") from exc

        corpus = generate_corpus(records, recommendations, seed, committees)
        progress = Progress(self.stderr, recommendations, enabled=verbosity >= 1)
        loader = loaders[connection.vendor](progress)
        # The untranslated columns (``text``, ``title``...) hold the default language, as load_archive leaves them.
        with translation.override(modeltranslation_settings.DEFAULT_LANGUAGE):
            loader.load(corpus, batch_size)
        self.stdout.write(self.style.SUCCESS(progress.summary(loader.meeting_count, len(corpus.committees))))


class Progress:
    """Progress on stderr: a line rewritten in place on a terminal, a line a batch otherwise."""

    def __init__(self, stream, total, enabled=True):
        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.started = time.perf_counter()
        self.stages = {}
        self.interactive = enabled and hasattr(stream, "isatty") and stream.isatty()

    def advance(self, count):
        self.done += count
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        line = (
            f"recommendations: {self.done:,}/{self.total:,} ({self.done / self.total:.0%}), "
            f"{self.done / max(elapsed, 1e-9):,.0f}/s, {elapsed:.1f} s"
        )
        self.stream.write(f"\r{line}" if self.interactive else line, ending="" if self.interactive else "\n")
        self.stream.flush()

    @contextmanager
    def stage(self, label):
        if self.interactive and self.done:
            self.stream.write("")
        if self.enabled:
            self.stream.write(f"{label}…")
        start = time.perf_counter()
        yield
        self.stages[label] = time.perf_counter() - start
        if self.enabled:
            self.stream.write(f"{label}: {self.stages[label]:.1f} s")

    def summary(self, meetings, committees):
        total = time.perf_counter() - self.started
        stages = ", ".join(f"{label} {seconds:.1f} s" for label, seconds in self.stages.items())
        return (
            f"Corpus loaded: {self.done:,} recommendations in {meetings:,} meetings of {committees} committees, "
            f"in {total:.1f} s ({stages})."
        )


class CorpusLoader:
    """Writes a corpus in batches, in one transaction; subclasses keep the search index right."""

    def __init__(self, progress):
        self.progress = progress
        self.meeting_count = 0

    @transaction.atomic
    def load(self, corpus, batch_size):
        self.begin()
        try:
            created = Committee.objects.bulk_create(Committee(**asdict(c)) for c in corpus.committees)
            committee_ids = [committee.pk for committee in created]
            with self.progress.stage("writing"):
                batch, pending = [], 0
                for meeting in corpus.meetings():
                    batch.append(meeting)
                    pending += meeting.recommendation_count
                    if pending >= batch_size:
                        self.write_batch(batch, committee_ids)
                        batch, pending = [], 0
                if batch:
                    self.write_batch(batch, committee_ids)
            self.finish()
            # Bulk inserts send no signals: tell the caches the archive changed.
            ArchiveRevision.record_change()
        finally:
            self.clean_up()
        with self.progress.stage("vocabulary"):
            rebuild_search_terms()
        self.analyze()

    def write_batch(self, meetings, committee_ids):
        rows = Meeting.objects.bulk_create(
            Meeting(
                committee_id=committee_ids[m.committee],
                date=m.date,
                title_fr=m.title_fr,
                title_en=m.title_en,
                objective_fr=m.objective_fr,
                objective_en=m.objective_en,
                slug_fr=m.slug_fr,
                slug_en=m.slug_en,
                is_published=m.is_published,
                modified_at=m.modified_at,
            )
            for m in meetings
        )
        themes = [
            (row.pk, theme) for row, meeting in zip(rows, meetings, strict=True) for theme in meeting.themes
        ]
        theme_rows = Theme.objects.bulk_create(
            Theme(meeting_id=meeting_id, position=t.position, title_fr=t.title_fr, title_en=t.title_en)
            for meeting_id, t in themes
        )
        recommendations = [
            (row.pk, r.position, r.text_fr, r.text_en)
            for row, (_meeting_id, theme) in zip(theme_rows, themes, strict=True)
            for r in theme.recommendations
        ]
        self.write_recommendations(recommendations)
        self.meeting_count += len(meetings)
        self.progress.advance(len(recommendations))

    def begin(self):
        pass

    def write_recommendations(self, rows):
        """Insert ``(theme_id, position, text_fr, text_en)`` rows."""
        Recommendation.objects.bulk_create(
            Recommendation(theme_id=theme_id, position=position, text_fr=text_fr, text_en=text_en)
            for theme_id, position, text_fr, text_en in rows
        )

    def finish(self):
        pass

    def clean_up(self):
        pass

    def analyze(self):
        pass


class PostgresCorpusLoader(CorpusLoader):
    STAGING = "corpus_recommendation"

    def begin(self):
        with connection.cursor() as cursor:
            # Room to sort the GIN indexes' entries in memory; this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            # Foreign keys are checked statement by statement rather than queued
            # to the commit: a table with queued checks cannot have its triggers
            # switched, and a million queued checks would only take memory.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
                [[name for _table, name in BYPASSED_TRIGGERS]],
            )
            self.triggers = [trigger for trigger in cursor.fetchall() if trigger in BYPASSED_TRIGGERS]
            for table, name in self.triggers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            # The GIN indexes are built once at the end, exactly as they were,
            # those of the sample table (filled by triggers) too.
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename IN ('meetings_recommendation', 'meetings_search_sample') AND indexdef LIKE %s",
                ["% USING gin %"],
            )
            self.indexes = cursor.fetchall()
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.STAGING} (theme_id bigint NOT NULL, position integer NOT NULL, "
                "text_fr text NOT NULL, text_en text NOT NULL) ON COMMIT DROP"
            )

    def write_recommendations(self, rows):
        default = modeltranslation_settings.DEFAULT_LANGUAGE
        backend = get_backend()
        vectors = {
            language: backend.vectors_sql(
                f"c.text_{language}", f"t.title_{language}", f"m.title_{language}", language
            )
            for language in ("fr", "en")
        }
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.STAGING}")
            with cursor.cursor.copy(
                f"COPY {self.STAGING} (theme_id, position, text_fr, text_en) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            # What the trigger computes, with the same function, for the whole batch at once.
            cursor.execute(
                f"""
                INSERT INTO meetings_recommendation (text, text_fr, text_en, position, theme_id, search_fr, search_en,
                                                     plain_fr, plain_en,
                                                     meeting_date, meeting_pk, theme_position, is_published)
                SELECT c.text_{default}, c.text_fr, c.text_en, c.position, c.theme_id,
                       {vectors["fr"]}, {vectors["en"]}, {backend.plain_sql("c.text_fr")}, {backend.plain_sql("c.text_en")},
                       m.date, m.id, t.position, m.is_published
                  FROM {self.STAGING} c
                  JOIN meetings_theme t ON t.id = c.theme_id
                  JOIN meetings_meeting m ON m.id = t.meeting_id
                 ORDER BY c.theme_id, c.position
                """
            )

    def finish(self):
        # On failure, the rollback brings the triggers and the indexes back.
        with connection.cursor() as cursor:
            # Gone at commit anyway, but a caller's transaction may go on.
            cursor.execute(f"DROP TABLE {self.STAGING}")
            for table, name in self.triggers:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
            # Django declares its foreign keys INITIALLY DEFERRED: back to that.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            with self.progress.stage("search indexes"):
                get_backend().write_sample_in_reading_order()
                for _name, definition in self.indexes:
                    cursor.execute(definition)

    def analyze(self):
        with self.progress.stage("analyze"), connection.cursor() as cursor:
            for model in (Committee, Meeting, Theme, Recommendation, SearchTerm):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


class SqliteCorpusLoader(CorpusLoader):
    def begin(self):
        connection.ensure_connection()
        connection.connection.create_function("ccs_fold", 2, _fold_remembering_words, deterministic=True)

    def clean_up(self):
        sqlite_backend.register_functions(connection.connection)


@cache
def _fold_chunk(chunk, language):
    return fold(chunk, language, gaps=True)


def _fold_remembering_words(language, text):
    """``ccs_fold`` (see ``sqlite_schema``), remembering how each space-separated chunk folds.

    A search token never holds a space, so folding a text chunk by chunk gives
    the same terms in the same order as folding it whole.
    """
    if not text:
        return ""
    return " ".join(terms for terms in (_fold_chunk(chunk, language) for chunk in text.split()) if terms)
