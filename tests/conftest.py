"""Shared fixtures live in tests/kit.py and tests/factories.py; settings in tests/settings.py."""

import zlib

import pytest
from django.core.cache import caches
from django.core.files.storage import default_storage, storages
from django.utils import translation
from django.utils.functional import empty


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches (rendered PDFs and shared page parts included) and a
    default storage made afresh, so it reads the MEDIA_ROOT the test sets, never one an earlier
    test's storage object kept; in the default language."""
    for alias in ("default", "pdf", "pages"):
        caches[alias].clear()
    # And in the default language: a test that switched to English (a request with the English
    # cookie, translation.activate) must not leave it to the next test on the same worker.
    translation.deactivate()
    storages._storages = {}
    default_storage._wrapped = empty


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and on PostgreSQL no straggling session left at the end.

    A connection a finished thread or child process never closed would make dropping the test
    database fail after every test passed; such sessions are ended before the drop."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


# Parallel runs (pytest-xdist; `make test`: `-n auto --dist loadscope`) --------------------------
# A scope runs whole on one worker.  With --dist loadscope the scopes are ours (the scheduler
# below): each file, so a module's fixtures (the scope matrix's world, a demo database) are built
# once; the duty tests as one package, so the seed their package fixture loads is loaded once;
# the browser tests as one, so one chromium and one live server run at a time beside the rest;
# the scope matrix, the largest module, in MATRIX_SHARES scopes, each building its world once.
# (xdist's own loadgroup marks do not group under pytest 9: xdist 3.8 renames the node id in a
# way pytest 9 no longer reads.)
MATRIX = "tests/security/test_scope_matrix.py"
MATRIX_SHARES = 2
WHOLE_PACKAGES = ("tests/duties/", "tests/e2e/")
# Files that check what lands on disk under their MEDIA_ROOT: run one after the other on one
# worker. Run side by side on two workers, each lost a file it had just stored (every run of the
# suite on 2 workers, never serially); the cause is not found yet.
ONE_AFTER_ANOTHER = {"tests/services/test_files_left_behind.py": "files on disk",
                     "tests/assessment/test_files_left_behind.py": "files on disk"}


def worker_scope(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    if path in ONE_AFTER_ANOTHER:
        return ONE_AFTER_ANOTHER[path]
    for package in WHOLE_PACKAGES:
        if path.startswith(package):
            return package
    if path == MATRIX and "[" in nodeid:
        return f"{path}#{zlib.crc32(nodeid.encode()) % MATRIX_SHARES}"
    return path


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist; without it, never called
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scopes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

    return Scopes(config, log)
