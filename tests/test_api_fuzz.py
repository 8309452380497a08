"""Fuzz the API against its own OpenAPI schema (schemathesis, through the WSGI app in process).

Every operation is called with generated parameters, valid and invalid, and every one of
schemathesis's checks runs: no response may be a 5xx, every response must match what the schema
declares (status code, content type, body), valid input must be accepted and invalid input
refused.
MAX_EXAMPLES keeps the run to a few seconds per operation (runs with 400 found nothing more).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode

from engagements.infrastructure.wsgi import application

MAX_EXAMPLES = 30

# Loaded at collection: producing the schema needs no database. (schemathesis.pytest.from_fixture
# would defer it, but it relies on a pytest internal that pytest 9.2 removed.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES
)


@pytest.fixture
def in_test_transaction(seeded):
    """Requests run inside the test's transaction, so they see the seed data.

    Django closes the connection when a request ends; inside the test's transaction that would
    lose the seeded rows (the test client disconnects these signals for the same reason).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
# The fixtures are read-only context for every example (the seeded rows, the signals): sharing
# them between examples is what we want. derandomize: CI runs the same examples every time, so a
# failure is reproducible and never a fluke; raise MAX_EXAMPLES locally to explore further.
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, derandomize=True
)
def test_api_conforms_to_its_schema(case, in_test_transaction):
    case.call_and_validate()
