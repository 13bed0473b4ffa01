"""A module-scoped database with `seed --demo` loaded, for read-only page tests that need the
whole demo (its accounts, unions, sheets, registers): seeded once per module (about 4 s)
instead of once per test, flushed afterwards.  Use: ``demo = demo_database_fixture()``.

``load_demo()`` loads the demo into the (empty, flushed) test database, committed.  On the
in-memory SQLite test database the first load in a test process is kept as a copy, and later
loads (another module here, the browser tests' ``demo_data``) copy it back with SQLite's
backup API (milliseconds) instead of seeding again (seconds): the same rows, ids included."""

import io

import pytest
from django.core.management import call_command

# This process's in-memory SQLite test database as `seed --demo` left it the first time.
_SEEDED_SQLITE: list = []


def load_demo() -> None:
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    in_memory_sqlite = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if in_memory_sqlite and _SEEDED_SQLITE:
        connection.ensure_connection()
        _SEEDED_SQLITE[0].backup(connection.connection)
        # The copy's content types may have other ids than those a flush since re-made.
        ContentType.objects.clear_cache()
        return
    call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
    if in_memory_sqlite:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _SEEDED_SQLITE.append(copy)


def demo_database_fixture():
    @pytest.fixture(scope="module")
    def demo_database(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            load_demo()
        yield
        with django_db_blocker.unblock():
            call_command("flush", "--no-input", verbosity=0)

    return demo_database
