"""Shared fixtures live in tests/kit.py and tests/factories.py; settings in tests/settings.py."""

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches (rendered PDFs included)."""
    for alias in ("default", "pdf"):
        caches[alias].clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and on PostgreSQL no straggling session left at the end.

    A connection a finished thread or child process never closed would make dropping the test
    database fail after every test passed; such sessions are ended before the drop."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
