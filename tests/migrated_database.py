"""The migrated test database, made by one `migrate` and copied, on SQLite.

Migrating a new database takes about 8 s of CPU (80 migrations, most of it Django rendering
model states).  Every pytest-xdist worker made its own test database that way, and the
reliability tests' template (tests/reliability/portal.py) a third.  On SQLite a migrated
database is a file of about 1 MB, so it is made once and copied with SQLite's backup API
(milliseconds):

- The first test process to create its in-memory test database migrates it as pytest-django
  always did and writes a copy of it to the template file; a process that asks meanwhile waits
  for the file (a lock), then copies it (``test_databases_from_the_template``).  The
  reliability tests copy the same file (``tests/reliability/portal.py``, which makes it by a
  `manage.py migrate` when no test database has).
- The file is kept between runs in the temporary directory, in a folder named by a digest of
  every installed app's migration files and the versions of Python, SQLite and Django
  (``template_folder``): the next run with the same migrations copies it at once, and any
  change to a migration makes a new one.  (As the bytecode cache in tests/conftest.py, outside
  the tree; folders unused for a week are removed.)  After a copy, the post_migrate receivers run
  again, so a changed receiver needs no new template.  To start afresh anyway:
  ``rm -rf "${TMPDIR:-/tmp}/unionportal-test-templates-$(id -u)"``.

On PostgreSQL pytest-django migrates each test database as before."""

import fcntl
import hashlib
import importlib.util
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path

KEEP_SECONDS = 7 * 24 * 3600  # templates of other migrations are removed after a week unused


@cache
def template_folder() -> Path:
    """This checkout's folder of templates for its migrations as they are now (made if new)."""
    parent = Path(tempfile.gettempdir()) / f"unionportal-test-templates-{os.getuid()}"
    parent.mkdir(mode=0o700, exist_ok=True)
    if parent.stat().st_uid != os.getuid():  # another user's: its templates are not to be trusted
        raise RuntimeError(f"{parent} belongs to another user; remove it")
    folder = parent / _migrations_digest()
    folder.mkdir(exist_ok=True)
    os.utime(folder)
    _remove_unused_folders(parent, keep=folder)
    return folder


def _migrations_digest() -> str:
    """What decides the migrated database: every installed app's migration files (the
    portal's and Django's own, by name and content), Python's, SQLite's and Django's versions,
    and for an app with models but no migrations (its tables made from its models) their source."""
    import django
    from django.apps import apps

    # Django's version too: its schema editor writes the tables the migrations describe.
    digest = hashlib.sha256(f"{sys.version}|{sqlite3.sqlite_version}|{django.get_version()}".encode())
    for app in apps.get_app_configs():
        try:
            spec = importlib.util.find_spec(f"{app.name}.migrations")
        except ModuleNotFoundError:
            spec = None
        paths = [path for folder in ((spec.submodule_search_locations or []) if spec else [])
                 for path in sorted(Path(folder).glob("*.py"))]
        if not paths and app.models_module is not None and any(app.get_models()):
            paths = [Path(app.models_module.__file__)]
        for path in paths:
            digest.update(f"{app.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _remove_unused_folders(parent: Path, keep: Path) -> None:
    for folder in parent.iterdir():
        try:
            if folder != keep and time.time() - folder.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(folder)
        except OSError:  # another run uses or removes it
            continue


def template_file(kind: str, make: Callable[[Path], None], folder: Path) -> Path:
    """The template ``kind`` in ``folder``, made by ``make(path)`` the first time a process
    asks: under a lock, so that the others wait for it; made under another name and renamed, so
    that a process that died half-way leaves no half-made template behind."""
    template = folder / f"{kind}.sqlite3"
    with open(folder / f"{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            making = folder / f"{kind}.making.sqlite3"
            making.unlink(missing_ok=True)
            make(making)
            # Into the one file: the copies take the file, not its write-ahead log.
            with closing(sqlite3.connect(making)) as database:
                database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            os.replace(making, template)
    return template


@contextmanager
def test_databases_from_the_template():
    """While open, pytest-django's in-memory SQLite test databases are copies of the migrated
    template; the first one made writes the template.  Made as before: a database kept between
    runs (``--reuse-db``), a file, and one made without migrations (``--nomigrations``,
    ``TEST["MIGRATE"] = False``, an app's migrations switched off), which must neither write nor
    read the template of the migrations."""
    from django.db.backends.sqlite3.creation import DatabaseCreation

    original_create_test_db = DatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        name = self._get_test_db_name()
        if keepdb or not self.is_in_memory_db(name) or not _migrates(self.connection):
            return original_create_test_db(self, verbosity, autoclobber, serialize, keepdb)
        made = []

        def migrated_here(path: Path) -> None:
            made.append(original_create_test_db(self, verbosity, autoclobber, serialize, keepdb))
            with closing(sqlite3.connect(path)) as copy:
                self.connection.connection.backup(copy)

        template = template_file("migrated", migrated_here, template_folder())
        return made[0] if made else _copy_of_the_template(self, name, template, serialize)

    DatabaseCreation.create_test_db = create_test_db
    try:
        yield
    finally:
        DatabaseCreation.create_test_db = original_create_test_db


def _migrates(connection) -> bool:
    """Whether this test database is made by every app's migrations."""
    from django.conf import settings

    modules = settings.MIGRATION_MODULES
    return (connection.settings_dict["TEST"].get("MIGRATE", True) is not False
            and type(modules) is dict and None not in modules.values())


def _copy_of_the_template(creation, name: str, template: Path, serialize: bool) -> str:
    """What ``create_test_db`` does after its ``migrate``, with the template copied instead."""
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.sql import emit_post_migrate_signal

    connection = creation.connection
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    with closing(sqlite3.connect(f"file:{template}?mode=ro", uri=True)) as source:
        source.backup(connection.connection)
    # What `migrate` does after its migrations, as this code now has it (content types,
    # permissions, the cache tables: the template keeps what they wrote when it was made).
    emit_post_migrate_signal(0, False, connection.alias)
    if serialize:  # (pytest-django's setup_databases asks for it afterwards; kept as Django has it)
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    return name
