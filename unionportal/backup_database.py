"""The database half of a backup: one consistent copy out, one whole copy back in.

PostgreSQL goes through ``pg_dump -Fc`` / ``pg_restore`` (the connection comes from
``settings.DATABASES``; the password travels in the environment, never on the command line);
SQLite through its online backup API.  Both read the database in one snapshot, and the
table fingerprints stored in the manifest are taken inside that same snapshot, so a backup
made while the portal is in use is consistent and its checksums match what was copied.

The database cache's tables (``unionportal/shared_stores.py``) are copied empty: what they
hold is rendered again on demand, and a portal that has only cached something is still empty.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from unionportal.shared_stores import DEFAULT_CACHE_TABLE, PDF_CACHE_TABLE, database_cache_tables

# Rows that `migrate` writes by itself; a database holding rows in any other table has data.
MIGRATE_OWN_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Keys of DATABASES[...]["OPTIONS"] that libpq also reads from the environment.
LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                 "sslkey": "PGSSLKEY", "passfile": "PGPASSFILE", "service": "PGSERVICE",
                 "options": "PGOPTIONS", "connect_timeout": "PGCONNECT_TIMEOUT"}
PG_TOOL_TIMEOUT = 6 * 3600  # a stuck dump must end some day; a real one takes minutes


class DatabaseBackupError(Exception):
    """The database cannot be copied out or in; the message says why."""


def cache_tables() -> frozenset[str]:
    """The database cache's tables: their structure is backed up, never their rows."""
    return frozenset({DEFAULT_CACHE_TABLE, PDF_CACHE_TABLE, *database_cache_tables(settings.CACHES)})


def check_vendor(connection) -> str:
    if connection.vendor not in DUMP_FILES:
        raise DatabaseBackupError(
            _("backup supports PostgreSQL and SQLite, not %(vendor)s") % {"vendor": connection.vendor})
    return connection.vendor


# Fingerprints -------------------------------------------------------------------------------

def _canonical(value):
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _column_names(connection, cursor, table: str) -> list[str]:
    """``table``'s column names, sorted. Not Django's ``get_table_description``: on SQLite it
    also parses each table's SQL for its collations (nine tenths of a fingerprint there)."""
    if connection.vendor == "sqlite":
        # (Not a SELECT's cursor.description: Django's SQLite connection parses column names,
        # which cuts a name at its first "[".) Hidden columns are a virtual table's.
        cursor.execute("SELECT name FROM pragma_table_xinfo(%s) WHERE hidden != 1", [table])
        return sorted(name for (name,) in cursor.fetchall())
    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")
    return sorted(column[0] for column in cursor.description)


def table_fingerprints(connection) -> dict[str, dict]:
    """``{table: {"rows": n, "sha256": hex}}`` for every table: the rows in primary-key order,
    every column by name.  The same data on the same database vendor gives the same digest."""
    quote = connection.ops.quote_name
    result = {}
    skipped = cache_tables()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skipped:
                continue
            columns = _column_names(connection, cursor, table)
            keys = connection.introspection.get_primary_key_columns(cursor, table) or columns
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} "
                           f"ORDER BY {', '.join(map(quote, keys))}")
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(json.dumps([_canonical(v) for v in row], default=str,
                                             ensure_ascii=False).encode())
                    digest.update(b"\n")
                rows += len(batch)
            result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def migration_state(connection) -> list[str]:
    """The applied migrations as sorted ``app.name`` strings; empty without the table."""
    if not MigrationRecorder(connection).has_table():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


@contextmanager
def _sqlite_copy(connection, path: Path):
    """A Django connection to a copied SQLite file: the same value conversions as the
    portal's own connection, so fingerprints of the copy and of a restore agree.  Registered
    under an alias of its own while it is open (Django's introspection looks it up)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    alias = f"{connection.alias}-backup-copy"
    copy = DatabaseWrapper({**connection.settings_dict, "NAME": str(path), "OPTIONS": {}}, alias=alias)
    connections[alias] = copy
    try:
        yield copy
    finally:
        copy.close()
        del connections[alias]


def tables_with_data(connection) -> list[str]:
    """Tables holding rows other than the ones `migrate` writes itself (or the cache's)."""
    quote = connection.ops.quote_name
    found = []
    skipped = MIGRATE_OWN_TABLES | cache_tables()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skipped:
                continue
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                found.append(table)
    return found


def has_tables(connection) -> bool:
    with connection.cursor() as cursor:
        return bool(connection.introspection.table_names(cursor))


# Dump ---------------------------------------------------------------------------------------

def dump(connection, target: Path) -> dict:
    """Copy the database to ``target``; the manifest's database section (with fingerprints)."""
    vendor = check_vendor(connection)
    if connection.in_atomic_block:
        raise DatabaseBackupError(_("a backup cannot run inside a transaction"))
    connection.ensure_connection()
    if vendor == "sqlite":
        # One backup step copies every page under one read lock: a consistent snapshot.
        # (Not inside a transaction of our own: the step would wait for it for ever.)
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
            _empty_cache_tables(destination)
        finally:
            destination.close()
        with _sqlite_copy(connection, target) as copy:
            fingerprints = table_fingerprints(copy)
            migrations = migration_state(copy)
        tool = f"sqlite {sqlite3.sqlite_version}"
    else:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # One snapshot for pg_dump and for our fingerprints (pg_dump --snapshot).
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            binary = pg_tool("pg_dump", connection)
            skip_data = [f"--exclude-table-data={table}" for table in sorted(cache_tables())]
            _run_pg([binary, "--format=custom", f"--snapshot={snapshot}", *skip_data,
                     f"--file={target}"], connection)
            fingerprints = table_fingerprints(connection)
            migrations = migration_state(connection)
        tool = _tool_version(binary)
    return {"vendor": vendor, "tool": tool, "migrations": migrations, "tables": fingerprints}


def _empty_cache_tables(copy: sqlite3.Connection) -> None:
    present = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    emptied = sorted(present & cache_tables())
    for table in emptied:
        copy.execute(f'DELETE FROM "{table}"')
    copy.commit()
    if emptied:
        copy.execute("VACUUM")  # the cached PDFs' pages leave the copy


# Load ---------------------------------------------------------------------------------------

def load(connection, source: Path) -> None:
    """Replace the whole database with the copy in ``source`` (one transaction on PostgreSQL,
    one backup step on SQLite: on failure the target is as it was)."""
    vendor = check_vendor(connection)
    if vendor == "sqlite":
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise DatabaseBackupError(_("a restore cannot run inside a transaction"))
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            copy.backup(connection.connection)
        except sqlite3.Error as exc:
            raise DatabaseBackupError(_("the database copy cannot be loaded: %(error)s") % {"error": exc}) from exc
        finally:
            copy.close()
        connection.close()
        return
    binary = pg_tool("pg_restore", connection)
    clean = ["--clean", "--if-exists"] if has_tables(connection) else []
    # Our own connection would hold locks on the tables pg_restore drops.
    connection.close()
    _run_pg([binary, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
             *clean, f"--dbname={connection.settings_dict['NAME']}", str(source)],
            connection, with_dbname=False)


# PostgreSQL tools ---------------------------------------------------------------------------

def pg_tool(name: str, connection) -> str:
    """The pg_dump/pg_restore for the server's major version (Debian keeps each version under
    /usr/lib/postgresql/N/bin); a newer one if that is missing; the one on PATH otherwise."""
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    installed = {}
    for candidate in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"):
        if candidate.parent.parent.name.isdigit() and os.access(candidate, os.X_OK):
            installed[int(candidate.parent.parent.name)] = str(candidate)
    usable = sorted(major for major in installed if major >= server_major)
    if usable:
        return installed[usable[0]]
    on_path = shutil.which(name)
    if on_path is None:
        raise DatabaseBackupError(
            _("%(tool)s is not installed (PostgreSQL %(major)d client tools are needed)")
            % {"tool": name, "major": server_major})
    return on_path


def _tool_version(binary: str) -> str:
    result = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def pg_environment(connection, *, with_dbname: bool = True) -> dict:
    settings_dict = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                      ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    if with_dbname:
        env["PGDATABASE"] = settings_dict["NAME"]
    for option, name in LIBPQ_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(option) is not None:
            env[name] = str(settings_dict["OPTIONS"][option])
    return env


def _run_pg(command: list[str], connection, *, with_dbname: bool = True) -> None:
    result = subprocess.run(command, env=pg_environment(connection, with_dbname=with_dbname),
                            capture_output=True, text=True, check=False, timeout=PG_TOOL_TIMEOUT)
    if result.returncode != 0:
        detail = re.sub(r"\s+", " ", result.stderr.strip())[:2000]
        raise DatabaseBackupError(_("%(tool)s failed: %(detail)s") % {"tool": Path(command[0]).name, "detail": detail})
