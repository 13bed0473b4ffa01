"""A module-scoped database with `seed --demo` loaded, for read-only page tests that need the
whole demo (its accounts, unions, sheets, registers): seeded once per module (about 4 s)
instead of once per test, flushed afterwards.  Use: ``demo = demo_database_fixture()``.

``load_demo()`` loads the demo into the (empty, flushed) test database, committed.  On the
in-memory SQLite test database the first load in a test process is kept as a copy, and later
loads (another module here, the browser tests' ``demo_data``) copy it back with SQLite's
backup API (milliseconds) instead of seeding again (seconds): the same rows, ids included.
Under pytest-xdist the first worker to seed also writes the copy to a file of the run
(``shared_folder``), and the other worker reads it instead of seeding again: both test
databases are made by the same migrations, so the copy is what its own seed would make."""

import fcntl
import io
import os
import sqlite3
from contextlib import closing
from pathlib import Path

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


def shared_folder(tmp_path_factory) -> Path | None:
    """The folder of this run that every pytest-xdist worker sees (pytest removes old runs'
    folders); None outside xdist."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    return tmp_path_factory.getbasetemp().parent


def _seed_or_read_the_other_workers(folder: Path) -> None:
    """The demo from the file another worker wrote; else seeded here and written for it.
    Under a lock: a worker that asks while the other seeds waits for the file."""
    shared = folder / "demo.sqlite3"
    with open(folder / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            with closing(sqlite3.connect(shared)) as source:
                _SNAPSHOTS["demo"] = copy = sqlite3.connect(":memory:", check_same_thread=False)
                source.backup(copy)
            restore_snapshot("demo")
            return
        call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
        take_snapshot("demo")
        # Written under another name and renamed: a worker that dies half-way leaves no
        # half-written copy behind.
        making = folder / "demo.making.sqlite3"
        making.unlink(missing_ok=True)
        with closing(sqlite3.connect(making)) as target:
            _SNAPSHOTS["demo"].backup(target)
        os.replace(making, shared)


def load_demo(folder: Path | None = None) -> None:
    """``folder``: the run's ``shared_folder`` (pytest-xdist), where the workers share one seed."""
    if restore_snapshot("demo"):
        return
    if folder is not None and in_memory_sqlite():
        _seed_or_read_the_other_workers(folder)
        return
    call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
    take_snapshot("demo")


def demo_database_fixture():
    @pytest.fixture(scope="module")
    def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
        with django_db_blocker.unblock():
            load_demo(shared_folder(tmp_path_factory))
        yield
        with django_db_blocker.unblock():
            call_command("flush", "--no-input", verbosity=0)

    return demo_database
