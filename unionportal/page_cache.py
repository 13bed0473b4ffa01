"""The cache of shared page parts (``caches["pages"]``): a round's ranking, the board's table,
an org page's list of unions.  It only saves work, so when the shared cache does not answer a
read is a miss and a write is skipped (and logged): the page is computed afresh instead of
answering 503 (docs/deployment.md, "When a store is down").  Pages that cannot do without the
cache (a job's queue) still fail with the clear page of ``unionportal.dependencies``."""

import contextvars
import functools
import hashlib
import logging
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

from unionportal.dependencies import cache_errors

logger = logging.getLogger(__name__)

PAGES_CACHE = "pages"


def _tolerant(method: str, missing=None):
    def call(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), method)(*args, **kwargs)
        except cache_errors() as exc:
            logger.warning("Page cache unavailable (%s): %s", method, type(exc).__name__)
            return missing() if callable(missing) else missing

    call.__name__ = method
    return call


class _ReusedClient(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` — and its ~170 response callbacks, 60 µs — for
    every cache call, and a page makes four to six of them.  A ``redis.Redis`` is thread-safe
    and holds no connection itself (its pool does), so one per pool is kept."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    """Django's ``RedisCache`` with its client kept between calls (``CACHES`` with REDIS_URL)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient


class TolerantRedisCache(PortalRedisCache):
    """The portal's ``RedisCache`` whose failures read as misses and skipped writes."""

    get = _tolerant("get")
    get_many = _tolerant("get_many", dict)
    set = _tolerant("set")
    set_many = _tolerant("set_many", list)
    add = _tolerant("add", lambda: False)
    delete = _tolerant("delete", lambda: False)
    has_key = _tolerant("has_key", lambda: False)


# Counts that summarise a whole scope (a federation's landing page counts 50,000 cases and
# 25,000 sheets) are kept between requests until something they count is written.  Every
# audited write marks its app ("subject") written when its transaction commits
# (``unionportal.audit``): a reader who computed before the commit, or between the commit and
# the mark, stored its value under the old mark, and the writer's own next request comes after
# the mark.  A mark is a fresh random token, so no lost or reordered update can bring an old
# mark back.  Time alone also changes a count (what is overdue), so a kept value is used for at
# most COUNTS_MAX_AGE seconds.
COUNTS_MAX_AGE = 60
_WRITTEN = "written:"


def mark_written(subjects, *, in_transaction: bool = False) -> None:
    """Every value kept for ``subjects`` (app labels) is computed afresh from now on.

    ``in_transaction``: marked from inside the writer's transaction as well as at its commit
    (a transaction that never commits, as a test's, still renews what it read); skipped when
    the cache is the database, where the mark's row would stay locked until the commit and
    serialise every writer of the app behind it."""
    cache = caches[PAGES_CACHE]
    if in_transaction and isinstance(cache, DatabaseCache):
        return
    token = uuid.uuid4().hex
    cache.set_many({_WRITTEN + subject: token for subject in set(subjects)}, timeout=None)


def written_by_transaction(subjects) -> None:
    """``subjects`` are written by the current transaction: marked at its commit (at once
    outside one), and already now where that takes no lock (``mark_written``)."""
    subjects = set(subjects)
    mark_written(subjects, in_transaction=True)
    transaction.on_commit(lambda: mark_written(subjects))


@functools.cache
def code_release() -> str:
    """A digest of the portal's own source and templates, once per process: a kept value holds
    the shapes (dataclasses, dict keys, model fields, markup, translations) of the code that made it, so a deploy —
    or the old and new servers of a rolling one — never reads another release's values."""
    digest = hashlib.sha256()
    for room, pattern in (("unionportal", "*.py"), ("orgs", "*.py"), ("assessment", "*.py"),
                          ("services", "*.py"), ("duties", "*.py"), ("templates", "*.html"),
                          ("locale", "*.po")):
        for path in sorted(Path(settings.BASE_DIR, room).rglob(pattern)):
            if "migrations" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# The subjects a request reads its marks for, first thing (``WrittenMarksMiddleware``).
SUBJECTS = ("orgs", "assessment", "services", "duties", "governance")
_request_marks: contextvars.ContextVar[dict | None] = contextvars.ContextVar("page_cache_marks", default=None)


def _read_marks(cache, subjects) -> dict[str, str | None]:
    """subject → its mark now; a mark never written (a new or emptied cache) is started.  When the
    cache does not answer, every mark is None (and nothing is kept: two calls, not one a value)."""
    keys = [_WRITTEN + subject for subject in subjects]
    found = cache.get_many(keys)
    if not found:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)
        found = cache.get_many(keys)
    elif len(found) < len(keys):  # one evicted: start it without replacing a newer one
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, timeout=None)
        found = cache.get_many(keys)
    return {subject: found.get(_WRITTEN + subject) for subject in subjects}


class WrittenMarksMiddleware:
    """Reads the marks once, before anything else of the request (its user, grants, the case or
    round it shows): a value the request computes is kept under marks older than every input it
    read, so a write that lands meanwhile — a grant given, a case decided — makes it stale
    instead of hiding under the write's own mark."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_marks.set(_read_marks(caches[PAGES_CACHE], SUBJECTS))
        try:
            return self.get_response(request)
        finally:
            _request_marks.reset(token)


def rendered(name: str) -> str:
    """The key ``name`` of a value that holds rendered HTML: such HTML also depends on the
    language, the time zone and the URL prefix it was rendered under."""
    return f"{name}:{get_language()}:{timezone.get_current_timezone_name()}:{get_script_prefix()}"


def until_written(key: str, subjects: tuple[str, ...], compute, max_age: int = COUNTS_MAX_AGE):
    """``compute()``, or the value it gave for ``key`` since none of ``subjects`` was written
    (and at most ``max_age`` seconds ago).  The key must say whose value it is (the scope).
    In a request the marks are those read at its start; elsewhere they are read now."""
    cache = caches[PAGES_CACHE]
    key = f"{key}:{code_release()}"
    marks = _request_marks.get()
    if marks is None or any(subject not in marks for subject in subjects):
        marks = _read_marks(cache, subjects)
    stamp = tuple(marks[subject] for subject in subjects)
    if None in stamp:  # the shared cache does not answer: compute, keep nothing
        return compute()
    kept = cache.get(key)
    if kept is not None and kept[0] == stamp and time.time() - kept[1] < max_age:
        return kept[2]
    started = time.time()
    value = compute()
    cache.set(key, (stamp, started, value), timeout=max_age)
    return value
