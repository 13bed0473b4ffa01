"""A module-scoped database with `seed --demo` loaded, for read-only page tests that need the
whole demo (its accounts, unions, sheets, registers): seeded once per module (about 4 s)
instead of once per test, flushed afterwards.  Use: ``demo = demo_database_fixture()``."""

import io

import pytest
from django.core.management import call_command


def demo_database_fixture():
    @pytest.fixture(scope="module")
    def demo_database(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
        yield
        with django_db_blocker.unblock():
            call_command("flush", "--no-input", verbosity=0)

    return demo_database
