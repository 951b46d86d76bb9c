"""
The API against its own OpenAPI description, with schemathesis: generated
requests (valid and invalid parameters) whose answers must match the
documented statuses and schemas, never a server error.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, assume, settings

pytestmark = pytest.mark.django_db

# Reading the description touches no database: it can be loaded as the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Called straight through WSGI, Django would close the test's connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# Bounded: a few dozen requests an operation keep the suite quick.
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case):
    # A schema cannot say that "to" comes after "from": a range that ends before
    # it begins is a documented 400 (tests/test_api.py), not a contract failure.
    query = case.query or {}
    assume(
        not (
            isinstance(query.get("from"), str)
            and isinstance(query.get("to"), str)
            and query["to"] < query["from"]
        )
    )
    case.call_and_validate()
