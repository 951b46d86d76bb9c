"""
A search's year samples, read on a second connection while the first reads
its candidates (meetings/search/beside.py).

These tests read outside a transaction, as a web request does: the archive
the session loaded and committed. They write nothing.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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


def sample_statements(queries):
    """The statements of the middle and fine samples (every second id, every id)."""
    return [
        query["sql"]
        for query in queries
        if "COUNT(*)" in query["sql"]
        and "GROUP BY" in query["sql"]
        and ("% 2 = 0" in query["sql"] or "% 1 = 0" in query["sql"])
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
    everything = small_samples()
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


def test_inside_a_transaction_the_samples_are_read_in_turn(committed_archive, small_samples):
    """Another connection would not see what the transaction wrote."""
    small_samples()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        results = search_recommendations("services", "fr")
        transaction.set_rollback(True)
    assert results.estimated
    assert len(sample_statements(queries)) == 2
