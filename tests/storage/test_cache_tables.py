"""Without Redis the cache lives in two database tables that `migrate` makes; a backup copies
them empty and an emptiness check for a restore ignores what they hold."""

import io
import json
import sqlite3
import tarfile

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from unionportal.backup_database import table_fingerprints, tables_with_data
from unionportal.cache_tables import create_cache_tables
from unionportal.shared_stores import DEFAULT_CACHE_TABLE, PDF_CACHE_TABLE, caches_setting


@pytest.fixture
def database_cache(transactional_db):
    with override_settings(CACHES=caches_setting({})):
        create_cache_tables(verbosity=0)
        yield
        with connection.cursor() as cursor:
            for table in (DEFAULT_CACHE_TABLE, PDF_CACHE_TABLE):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")


def test_migrate_makes_the_tables_and_a_backup_copies_them_empty(database_cache, tmp_path):
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert {DEFAULT_CACHE_TABLE, PDF_CACHE_TABLE} <= tables
    caches["default"].set("something", "cached")
    caches["pdf"].set("pdf:x", b"%PDF-1.4 cached")
    assert caches["pdf"].get("pdf:x") == b"%PDF-1.4 cached"
    assert DEFAULT_CACHE_TABLE not in tables_with_data(connection)
    assert DEFAULT_CACHE_TABLE not in table_fingerprints(connection)

    archive = tmp_path / "portal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        assert PDF_CACHE_TABLE not in manifest["database"]["tables"]
        if connection.vendor == "sqlite":
            (tmp_path / "copy").write_bytes(opened.extractfile("database.sqlite3").read())
            copy = sqlite3.connect(tmp_path / "copy")
            try:
                for table in (DEFAULT_CACHE_TABLE, PDF_CACHE_TABLE):
                    assert copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone() == (0,)
            finally:
                copy.close()
