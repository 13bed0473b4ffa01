"""The scope matrix builds its world once per module (inside one transaction, rolled back at
the end) and keeps rendered PDFs between its cases: each case only reads."""

import contextlib
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.template.base import Template
from django.test import Client
from django.test.utils import override_settings

from tests.security.checksum import rows_checksum, rows_written
from tests.security.world import build_world
from unionportal.accounts.sessions import LAST_SEEN


@pytest.fixture
def _empty_caches():
    """Overrides the suite's per-test cache clearing: the matrix renders each PDF once."""


# How far ahead the sessions are marked seen: longer than any run of the module.
SEEN_AHEAD = 3600


def _sessions(users) -> dict:
    """One signed-in session per user, made once (each case only copies its cookie).

    Marked seen ahead of time: the policy refreshes the idle clock (a write of the session) a
    minute after it was last set, and each case's rollback undoes that write, so a session made
    at the module's start would be written again by every request after its first minute."""
    cookies = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        session = client.session
        session[LAST_SEEN] = time.time() + SEEN_AHEAD
        session.save()
        cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def _render_uninstrumented(template, context):
    """Django's own ``Template._render`` (a copy of its one line: compare it on a Django
    upgrade). The test runner's instrumented one sends a signal for every template rendered,
    and the test client then copies the context each time, for ``response.context`` and
    ``assertTemplateUsed``. The matrix reads neither, over some 6,900 requests (its CPU
    66 -> 63 s, user + system, one process)."""
    return template.nodelist.render(context)


@contextlib.contextmanager
def _rolled_back(django_db_blocker):
    """A transaction (inside any already open) that is rolled back however its block ends; the
    database open to the block's code only where that code opens it itself."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # The settings, the renderer and the tables come back when the module ends, however it ends:
    # later modules on this worker read response.context.
    with contextlib.ExitStack() as undo:
        undo.enter_context(override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media")))
        undo.enter_context(pytest.MonkeyPatch.context()).setattr(Template, "_render", _render_uninstrumented)
        undo.enter_context(_rolled_back(django_db_blocker))
        with django_db_blocker.unblock():
            built = build_world()
            built.sessions = _sessions(built.users)
            # One handler for all the module's requests, as a server has: a new Client's own
            # handler loads the middleware chain again at its first request (each case makes
            # one or two). The middleware keep nothing from one request to the next.
            built.handler = Client().handler  # (a Client's: CSRF checks off, as in every case)
            # Every case runs inside its own transaction, rolled back after it: each starts from
            # these rows, which a refused POST is compared with (files, never rolled back, are
            # read afresh by each case).
            built.rows = rows_checksum()
            connection.check_constraints()  # the rows every case starts from (see db below)
        yield built


@pytest.fixture
def db(world, django_db_blocker):
    """pytest-django's ``db`` for the matrix: each case in a transaction of its own inside the
    world's, rolled back after it, the deferred foreign keys checked first — what its own ``db``
    (and the ``django_db`` mark) does through a ``TestCase``, without making a ``TestCase`` class
    and its set-up for every case (0.3 ms of CPU each).  A test that asks for ``db`` also has
    pytest-django make the test database."""
    with _rolled_back(django_db_blocker), django_db_blocker.unblock():
        written = rows_written()
        yield
        # As TestCase checks; a case that wrote no row leaves the world's rows, checked once
        # when built, so its answer is known (the check reads every table: 0.3 ms).
        wrote = written is None or rows_written() != written
        if wrote and not connection.needs_rollback and connection.is_usable():
            connection.check_constraints()
