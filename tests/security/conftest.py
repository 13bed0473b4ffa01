"""The scope matrix builds its world once per module (inside one transaction, rolled back at
the end) and keeps rendered PDFs between its cases: each case only reads."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from tests.security.world import build_world


@pytest.fixture
def _empty_caches():
    """Overrides the suite's per-test cache clearing: the matrix renders each PDF once."""


def _sessions(users) -> dict:
    """One signed-in session per user, made once (each case only copies its cookie)."""
    cookies = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            built.sessions = _sessions(built.users)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        media.disable()
