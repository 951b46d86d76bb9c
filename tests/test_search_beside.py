"""
A search's year samples, read on a second connection while the first reads
its candidates (meetings/search/beside.py).

These tests read outside a transaction, as a web request does: the archive
the session loaded and committed. They write nothing.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meetings.search import engine
from meetings.search.backends.postgres import PostgresBackend
from meetings.search.beside import close_connections
from meetings.search.engine import search_recommendations

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL alone reads beside; runs in the PostgreSQL pass"
)


@pytest.fixture
def committed_archive(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield
        # The database is dropped at the end of the session, which waits for every connection to it.
        close_connections()


@pytest.fixture
def small_samples(monkeypatch):
    """Samples of every fourth, second and single id, and a count bound the archive's "services" is far past."""
    monkeypatch.setattr(engine, "CANDIDATES", 5)
    monkeypatch.setattr(engine, "COUNT_BOUND", 10)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)
    monkeypatch.setattr(engine, "COARSE_SAMPLE_EVERY", 4)
    monkeypatch.setattr(engine, "MIDDLE_SAMPLE_EVERY", 2)
    monkeypatch.setattr(engine, "SAMPLE_EVERY", 1)


def sample_statements(queries):
    """The statements of the middle and fine samples (every second id, every id)."""
    return [
        query["sql"]
        for query in queries
        if "GROUP BY" in query["sql"] and ("% 2 = 0" in query["sql"] or "% 1 = 0" in query["sql"])
    ]


def what_the_page_says(results):
    return (
        int(results.total),
        results.estimated,
        [(year, int(count), count.estimated) for year, count in results.years],
        [(meeting.pk, count) for meeting, count in results.meetings],
        [hit.recommendation.pk for hit in results.page.object_list],
    )


@pytest.mark.parametrize("year", [None, 2023])
def test_the_samples_read_beside_give_the_counts_read_in_turn(
    committed_archive, small_samples, monkeypatch, year
):
    everything = search_recommendations("services", "fr")
    # The middle sample settles some years, the fine one the others.
    monkeypatch.setattr(engine, "SAMPLED_ENOUGH", max(count for _year, count in everything.years) // 4)
    with CaptureQueriesContext(connection) as queries:
        beside = search_recommendations("services", "fr", year=year)
    assert beside.estimated and beside.more
    # The request's connection read neither sample: the other one did.
    assert sample_statements(queries) == []

    monkeypatch.setattr(PostgresBackend, "reads_beside", False)
    with CaptureQueriesContext(connection) as queries:
        in_turn = search_recommendations("services", "fr", year=year)
    assert len(sample_statements(queries)) == 2
    assert what_the_page_says(beside) == what_the_page_says(in_turn)
    assert {year for year, _count in beside.years} == {year for year, _count in everything.years}


def test_inside_a_transaction_the_samples_are_read_in_turn(committed_archive, small_samples, monkeypatch):
    """Another connection would not see what the transaction wrote."""
    everything = search_recommendations("services", "fr")
    monkeypatch.setattr(engine, "SAMPLED_ENOUGH", max(count for _year, count in everything.years) // 4)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        results = search_recommendations("services", "fr")
        transaction.set_rollback(True)
    assert results.estimated
    assert len(sample_statements(queries)) == 2
