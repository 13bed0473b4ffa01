"""The table fingerprints a backup records and a restore checks (unionportal.backup_database):
every column read by its own name, whatever characters the name holds."""

from django.db import connection

from unionportal.backup_database import table_fingerprints


def test_a_column_named_with_brackets_and_spaces_is_read_whole(db):
    """SQLite's Python driver, as Django sets it up, cuts a column name at its first "[" in a
    query's description: such a column must still be read by its whole name."""
    quote = connection.ops.quote_name
    table = quote("odd [table]")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} ({quote('id')} integer PRIMARY KEY, "
                       f"{quote('a [b]')} varchar(10), {quote('x[y')} varchar(10))")
        cursor.execute(f"INSERT INTO {table} VALUES (1, 'one', 'two')")
    first = table_fingerprints(connection)["odd [table]"]
    assert first["rows"] == 1
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {quote('x[y')} = 'three'")
    assert table_fingerprints(connection)["odd [table]"]["sha256"] != first["sha256"]  # every column read
