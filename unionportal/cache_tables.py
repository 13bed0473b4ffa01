"""The database cache's tables, made by ``migrate`` (a ``post_migrate`` receiver), so that
``make run`` and a deployment without Redis need no extra step. Idempotent: an existing table
is left alone; with Redis (or the tests' memory cache) there is nothing to make."""

from django.conf import settings
from django.core.management import call_command

from unionportal.shared_stores import database_cache_tables


def create_cache_tables(*, using="default", verbosity=1, **kwargs) -> None:
    if database_cache_tables(settings.CACHES):
        call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
