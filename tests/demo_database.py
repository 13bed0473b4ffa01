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

# Per name, this process's in-memory SQLite test database as its first making left it.
_SNAPSHOTS: dict = {}


def in_memory_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def restore_snapshot(name: str) -> bool:
    """Copy the snapshot ``name`` back into the test database (SQLite's backup API,
    milliseconds); False when there is none (not in-memory SQLite, or not made yet)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    if not in_memory_sqlite() or name not in _SNAPSHOTS:
        return False
    connection.ensure_connection()
    _SNAPSHOTS[name].backup(connection.connection)
    # The copy's content types may have other ids than those a flush since re-made.
    ContentType.objects.clear_cache()
    return True


def take_snapshot(name: str) -> None:
    """Keep the test database as it is now under ``name`` (in-memory SQLite only)."""
    import sqlite3

    from django.db import connection

    if in_memory_sqlite():
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _SNAPSHOTS[name] = copy


def load_demo() -> None:
    if not restore_snapshot("demo"):
        call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
        take_snapshot("demo")


def demo_database_fixture():
    @pytest.fixture(scope="module")
    def demo_database(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            load_demo()
        yield
        with django_db_blocker.unblock():
            call_command("flush", "--no-input", verbosity=0)

    return demo_database
