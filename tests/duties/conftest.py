"""The duty tests run on the seeded database, seeded once for the whole of tests/duties.

``_seeded_database`` seeds the test database when the first test of this package runs, inside
a transaction that stays open until the package is done and is then rolled back: every test
here sees the seed (and its own rows on top), each test's own transaction (pytest-django's
``db``) is a savepoint inside it and is rolled back after the test, and tests elsewhere
(tests/orgs, …) still start from an empty database.  Seeding per test cost 2-4 s each.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package", autouse=True)
def _seeded_database(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        package = transaction.atomic()
        package._from_testcase = True  # a durable block inside a test may still open
        package.__enter__()
        try:
            call_command("seed", stdout=io.StringIO(), stderr=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            package.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        package.__exit__(None, None, None)


@pytest.fixture
def seeded(db):
    """The seeded database (source documents' orgs, catalogues and service types), rolled back
    to the seed after the test."""
