"""Shared fixtures live in tests/kit.py and tests/factories.py; settings in tests/settings.py."""

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches (rendered PDFs included)."""
    for alias in ("default", "pdf"):
        caches[alias].clear()
