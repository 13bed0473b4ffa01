"""A fingerprint of every domain table (row count and a hash of the rows) and of the stored
files: equal before and after a request means the request wrote nothing."""

import functools
import hashlib
import os

from django.apps import apps
from django.conf import settings
from django.db import connection

# The audit trail and sessions are left out: a refused request may be recorded there, and every
# change to a record also changes the record's own table.
DOMAIN_APPS = ("auth", "orgs", "governance", "duties", "assessment", "services")


def _tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.app_label in DOMAIN_APPS}
    return sorted(tables)


@functools.cache
def _rows_sql(alias: str, vendor: str) -> str:
    """One statement that reads every row of every domain table, each row as one text naming
    every column (the same on every call: the schema does not change during a run).

    A ``SELECT *`` per table (52 statements) cost each POST of the matrix more in statements
    than in rows; one statement of whole-row texts reads the same data."""
    quote = connection.ops.quote_name
    selects = []
    with connection.cursor() as cursor:
        for table in _tables():
            if vendor == "postgresql":
                row = f"{quote(table)}::text"  # the row as a composite literal: every column
            else:
                # quote() spells each value unambiguously (text quoted, blobs as X'..', NULL).
                columns = connection.introspection.get_table_description(cursor, table)
                row = " || ',' || ".join(f"quote({quote(column.name)})" for column in columns)
            selects.append(f"SELECT '{table}', {row} FROM {quote(table)}")  # noqa: S608 (model tables)
    return " UNION ALL ".join(selects)


def rows_checksum() -> dict[str, tuple[int, str]]:
    """Each domain table's row count and a hash of its rows."""
    rows = {table: [] for table in _tables()}
    with connection.cursor() as cursor:  # one statement: this runs after every POST of the matrix
        cursor.execute(_rows_sql(connection.alias, connection.vendor))
        for table, row in cursor.fetchall():
            rows[table].append(row)
    # Sorted row texts: each names its primary key, so equal lists mean equal rows (the order
    # the database returns them in is not fixed).
    return {table: (len(texts), hashlib.sha256(repr(sorted(texts)).encode()).hexdigest())
            for table, texts in rows.items()}


def files_checksum() -> tuple[int, str]:
    """The stored files: their paths and sizes."""
    files = []
    for folder, _dirs, names in os.walk(settings.MEDIA_ROOT):
        files += [(os.path.join(folder, name), os.path.getsize(os.path.join(folder, name))) for name in names]
    return len(files), hashlib.sha256(repr(sorted(files)).encode()).hexdigest()


def table_checksum(rows: dict | None = None) -> dict[str, tuple[int, str]]:
    """The fingerprint; ``rows``: the tables' part already known (the state every case of the
    matrix starts from, tests/security/conftest.py), the files read afresh."""
    return {**(rows_checksum() if rows is None else rows), "files": files_checksum()}


def rows_written() -> int | None:
    """How many rows this connection has inserted, updated or deleted since it opened (SQLite's
    ``total_changes``, rolled-back writes included), or None where the database does not say."""
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    return connection.connection.total_changes


def checksum_after(rows: dict, written: int | None) -> dict[str, tuple[int, str]]:
    """``table_checksum()`` after a request that started from the tables' ``rows`` when
    ``rows_written()`` was ``written``.  No row written since means the tables still hold those
    rows, so only the files are read again (reading every table cost 1.2 ms, and most refused
    POSTs of the matrix write nothing at all); any row written, and every table is read."""
    unchanged = written is not None and rows_written() == written
    return table_checksum(rows if unchanged else None)
