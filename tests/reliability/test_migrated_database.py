"""The migrated template the test databases copy (tests/migrated_database.py): current with
every migration on disk, named by the migrations it was made from, made once."""

import sqlite3
import sys
from contextlib import closing
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.db.migrations.executor import MigrationExecutor

from tests import migrated_database
from tests.reliability.portal import migrated_template


@pytest.mark.django_db
def test_the_test_database_has_every_migration_on_disk_applied():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the template is SQLite's")
@pytest.mark.django_db
def test_the_test_database_is_the_templates_copy():
    template = migrated_template()
    with closing(sqlite3.connect(f"file:{template}?mode=ro", uri=True)) as source:
        tables = source.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        applied = source.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        assert cursor.fetchall() == tables
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        assert cursor.fetchall() == applied


def _digest_of(monkeypatch):
    app = SimpleNamespace(name="madeup_app", label="madeup", models_module=None)
    monkeypatch.setattr(apps, "get_app_configs", lambda: [app])
    for name in [name for name in sys.modules if name.startswith("madeup_app")]:
        monkeypatch.delitem(sys.modules, name)
    return migrated_database._migrations_digest()


def test_the_templates_name_changes_with_any_migration_file(tmp_path, monkeypatch):
    migrations = tmp_path / "madeup_app" / "migrations"
    migrations.mkdir(parents=True)
    (tmp_path / "madeup_app" / "__init__.py").write_text("")
    (migrations / "__init__.py").write_text("")
    (migrations / "0001_initial.py").write_text("operations = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    first = _digest_of(monkeypatch)
    assert _digest_of(monkeypatch) == first
    (migrations / "0001_initial.py").write_text("operations = [1]\n")
    changed = _digest_of(monkeypatch)
    (migrations / "0002_more.py").write_text("")
    added = _digest_of(monkeypatch)
    assert len({first, changed, added}) == 3


def test_a_template_is_made_once_and_never_half(tmp_path):
    made = []

    def make(path):
        made.append(path)
        with closing(sqlite3.connect(path)) as database:
            database.execute("CREATE TABLE t (x)")
            database.commit()

    def fail(path):
        with closing(sqlite3.connect(path)) as database:
            database.execute("CREATE TABLE half (x)")
            database.commit()
        raise RuntimeError("migrate failed")

    with pytest.raises(RuntimeError):
        migrated_database.template_file("kind", fail, tmp_path)
    assert not (tmp_path / "kind.sqlite3").exists()

    first = migrated_database.template_file("kind", make, tmp_path)
    again = migrated_database.template_file("kind", make, tmp_path)
    assert first == again and len(made) == 1
    with closing(sqlite3.connect(first)) as database:
        assert database.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


class _Creation:
    """What the patched ``create_test_db`` reads of Django's creation object."""

    def __init__(self, name="file:memorydb_default?mode=memory&cache=shared", test=None):
        self.name = name
        raw = sqlite3.connect(":memory:")
        raw.execute("CREATE TABLE migrated (x)")
        self.connection = SimpleNamespace(connection=raw, settings_dict={"TEST": test or {}}, alias="default")

    def _get_test_db_name(self):
        return self.name

    def is_in_memory_db(self, name):
        return "mode=memory" in name


def test_the_first_test_database_migrates_and_writes_the_template_the_next_ones_copy(tmp_path, monkeypatch,
                                                                                      settings):
    migrated, copied = [], []

    def migrate(creation, verbosity, autoclobber, serialize, keepdb):
        migrated.append(creation.name)
        return creation.name

    monkeypatch.setattr(DatabaseCreation, "create_test_db", migrate)
    monkeypatch.setattr(migrated_database, "template_folder", lambda: tmp_path)
    monkeypatch.setattr(migrated_database, "_copy_of_the_template",
                        lambda creation, name, template, serialize: copied.append(template) or name)
    with migrated_database.test_databases_from_the_template():
        DatabaseCreation.create_test_db(_Creation(), 0, False, False, False)
        assert len(migrated) == 1 and not copied
        with closing(sqlite3.connect(tmp_path / "migrated.sqlite3")) as template:
            assert template.execute("SELECT name FROM sqlite_master").fetchall() == [("migrated",)]
        DatabaseCreation.create_test_db(_Creation(), 0, False, False, False)
        assert len(migrated) == 1 and copied == [tmp_path / "migrated.sqlite3"]

        # Made as before, never from nor into the template: kept between runs, a file, without
        # migrations (pytest-django's --nomigrations, TEST["MIGRATE"] = False).
        DatabaseCreation.create_test_db(_Creation(), 0, False, False, True)
        DatabaseCreation.create_test_db(_Creation(name="/tmp/test.sqlite3"), 0, False, False, False)
        DatabaseCreation.create_test_db(_Creation(test={"MIGRATE": False}), 0, False, False, False)
        settings.MIGRATION_MODULES = {"orgs": None}
        DatabaseCreation.create_test_db(_Creation(), 0, False, False, False)
        assert len(migrated) == 5 and len(copied) == 1
    assert DatabaseCreation.create_test_db is migrate
