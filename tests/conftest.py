"""Shared fixtures live in tests/kit.py and tests/factories.py; settings in tests/settings.py."""
