"""Shared fixtures live in tests/kit.py and tests/factories.py; settings in tests/settings.py."""

import gc
import os
import sys
import tempfile
import zlib

import pytest
from django.core.cache import caches
from django.core.files.storage import default_storage, storages
from django.utils import translation
from django.utils.functional import empty

# Compiled modules cached outside the tree ---------------------------------------------------------
# With PYTHONDONTWRITEBYTECODE set (as in CI images and this project's sandboxes), every test
# process and every `manage.py` a test starts compiled the portal's ~320 modules from source, and
# each xdist worker rewrote and compiled every test module: 5.7 s of CPU to collect the suite in
# each worker, 2.0 s with the bytecode cached; about 0.2 s of each of the ~140 subprocesses.  The
# cache goes to a folder of its own under the temporary directory (PYTHONPYCACHEPREFIX), so the
# tree still gets no __pycache__; Python and pytest check each cached file against its source.
# Set here, before pytest-xdist starts its workers, so they and every subprocess inherit it.
if sys.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"):
    PYCACHE = os.environ.get("PYTHONPYCACHEPREFIX") or os.path.join(
        tempfile.gettempdir(), f"unionportal-pycache-{os.getuid()}")
    os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = PYCACHE
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


# Python's cycle collector in a test process ---------------------------------------------------
# After collection a worker holds some 200,000 long-lived objects (the collected items and their
# parameters, Django's apps, URLconf and templates); every full collection walked them all again,
# and a first-generation collection ran every 700 allocations.  Measured on the scope matrix
# (4,384 cases, one process): 4.7 s of its ~60 s CPU in the collector, 2.5 s after this.  Frozen
# objects are only never scanned for cycles (they live for the whole run anyway); garbage is still
# freed, by reference counting at once and cycles at the next collection, which comes less often.
# No test depends on when a cycle is collected; an unclosed file or connection found in garbage
# still fails the run (pytest's unraisable-exception check), possibly at a later collection.
GC_FIRST_GENERATION_THRESHOLD = 20_000


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_FIRST_GENERATION_THRESHOLD, 20, 20)


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


@pytest.fixture
def rendered_fragments(monkeypatch):
    """The names of the templates unionportal.fragment_store rendered, in order."""
    from unionportal import fragment_store

    names = []
    original = fragment_store.render_to_string

    def counting(template_name, *args, **kwargs):
        names.append(template_name)
        return original(template_name, *args, **kwargs)

    monkeypatch.setattr(fragment_store, "render_to_string", counting)
    return names


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """``redis://127.0.0.1:PORT/0`` of a Redis of the test run's own (Debian's redis-server,
    which `make test` installs): the tests that need a working Redis never skip."""
    from tests.storage.servers import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


# One migrated test database, copied (tests/migrated_database.py) ---------------------------------
@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's, and on SQLite the test databases copies of one migrated database."""
    from tests.migrated_database import test_databases_from_the_template

    with test_databases_from_the_template():
        yield


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
# In tests/e2e but no browser test (the Django test client crawls the demo): a scope of its own,
# beside the browser journeys rather than after them on the same worker; the admin's crawl (half
# of it: every admin page) a scope of its own again.
NOT_IN_PACKAGE = ("tests/e2e/test_crawl.py",)
CRAWL_ALONE = "tests/e2e/test_crawl.py::test_no_link_a_demo_account_meets_answers_an_error[demo-admin]"
# Files that check what lands on disk under their MEDIA_ROOT: run one after the other on one
# worker. Run side by side on two workers, each lost a file it had just stored (every run of the
# suite on 2 workers, never serially); the cause is not found yet.
ONE_AFTER_ANOTHER = {"tests/services/test_files_left_behind.py": "files on disk",
                     "tests/assessment/test_files_left_behind.py": "files on disk"}


# The scopes are handed out longest first.  xdist's own order (most tests first) started the
# browser tests, few tests but the longest scope, late, and a worker that has two tests left
# takes the next scope: one behind a long two-test scope waited while the other worker ran dry.
# Seconds of one core for the scopes whose number of tests does not tell their time (measured
# 2026-12-01, `pytest -n auto --junitxml`, load 2-4); any other scope counts SECONDS_PER_TEST a
# test (an overestimate: such scopes come after these).
SCOPE_SECONDS = {
    # The browser tests, as one scope beside the rest (45 tests: 97-128 s of one worker, of which
    # about 18 s of this process's CPU and 75-85 s of chromium's, more than one core at times;
    # measured 2026-12-01 night, identical documents' audits reused). Split over both workers they
    # took longer (148 s: two chromiums at once on 2 cores), measured 2026-12-01.
    "tests/e2e/": 175,
    "tests/e2e/test_crawl.py": 85,
    CRAWL_ALONE: 30,
    **{f"{MATRIX}#{share}": 100 / MATRIX_SHARES for share in range(MATRIX_SHARES)},
    "tests/storage/test_backup_object_storage.py": 25,
    "tests/governance/test_views.py": 12,
    "tests/unionportal/test_hostile_inputs.py": 15,
    "tests/reliability/test_backup.py": 12,
    "tests/reliability/test_killed_commands.py": 11,
    "tests/unionportal/test_print_fonts.py": 9,
    "tests/bench_counts/test_list_pages.py": 8,
    "tests/assessment/test_round_pdf.py": 8,
    "tests/governance/test_app_migration.py": 5,
}
SECONDS_PER_TEST = 0.3


def scope_seconds(scope: str, tests: dict) -> float:
    return SCOPE_SECONDS.get(scope, len(tests) * SECONDS_PER_TEST)


def worker_scope(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    if nodeid == CRAWL_ALONE:
        return nodeid
    if path in ONE_AFTER_ANOTHER:
        return ONE_AFTER_ANOTHER[path]
    for package in WHOLE_PACKAGES:
        if path.startswith(package) and path not in NOT_IN_PACKAGE:
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
        longest_first = False

        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.longest_first:  # the first hand-out: the queue is complete
                self.longest_first = True
                queue = sorted(self.workqueue.items(), key=lambda item: -scope_seconds(*item))
                self.workqueue.clear()
                self.workqueue.update(queue)
            super()._assign_work_unit(node)

    return Scopes(config, log)
