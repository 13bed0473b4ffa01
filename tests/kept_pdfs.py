"""The "pdf" cache kept from one test to the next of a parametrised set (the suite's own fixture
empties it before each test), as production keeps it: tests that print the same documents get
the same HTML, and a PDF is cached by its HTML or the version of the data it prints.  Each view
still runs, and checks the user's rights, at each request; only the layout of an identical PDF
is not repeated."""

from contextlib import contextmanager

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache


@contextmanager
def pdfs_kept_in(store: dict):
    """Within: the "pdf" cache holds what it held at the end of the last block with ``store``
    (a module's dict); another backend than the tests' local memory is left as it is."""
    cache = caches["pdf"]
    if not isinstance(cache, LocMemCache):
        yield
        return
    cache._cache.update(store.get("entries", {}))
    cache._expire_info.update(store.get("expiry", {}))
    yield
    store.update(entries=dict(cache._cache), expiry=dict(cache._expire_info))
