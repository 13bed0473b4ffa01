"""The cache of shared page parts (``caches["pages"]``): a round's ranking, the board's table,
an org page's list of unions.  It only saves work, so when the shared cache does not answer a
read is a miss and a write is skipped (and logged): the page is computed afresh instead of
answering 503 (docs/deployment.md, "When a store is down").  Pages that cannot do without the
cache (a job's queue) still fail with the clear page of ``unionportal.dependencies``."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAGES_CACHE = "pages"


def _tolerant(method: str, missing=None):
    def call(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), method)(*args, **kwargs)
        except RedisError as exc:
            logger.warning("Page cache unavailable (%s): %s", method, type(exc).__name__)
            return missing() if callable(missing) else missing

    call.__name__ = method
    return call


class TolerantRedisCache(RedisCache):
    """Django's ``RedisCache`` whose failures read as misses and skipped writes."""

    get = _tolerant("get")
    get_many = _tolerant("get_many", dict)
    set = _tolerant("set")
    set_many = _tolerant("set_many", list)
    add = _tolerant("add", lambda: False)
    delete = _tolerant("delete", lambda: False)
    has_key = _tolerant("has_key", lambda: False)
