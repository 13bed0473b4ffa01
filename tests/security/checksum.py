"""A fingerprint of every domain table (row count and a hash of the rows) and of the stored
files: equal before and after a request means the request wrote nothing."""

import hashlib
import os

from django.apps import apps
from django.conf import settings
from django.db import connection

# The audit trail and sessions are left out: a refused request may be recorded there, and every
# change to a record also changes the record's own table.
DOMAIN_APPS = ("auth", "orgs", "governance", "duties", "assessment", "services")


def _tables() -> list[tuple[str, str]]:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in DOMAIN_APPS:
            tables[model._meta.db_table] = model._meta.pk.column
    return sorted(tables.items())


def table_checksum() -> dict[str, tuple[int, str]]:
    fingerprint = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # plain SQL: this runs twice for every POST of the matrix
        for table, pk in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608 (model tables)
            rows = cursor.fetchall()
            fingerprint[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    files = []
    for folder, _dirs, names in os.walk(settings.MEDIA_ROOT):
        files += [(os.path.join(folder, name), os.path.getsize(os.path.join(folder, name))) for name in names]
    fingerprint["files"] = (len(files), hashlib.sha256(repr(sorted(files)).encode()).hexdigest())
    return fingerprint
