"""What a process of the portal imports at start: a library it only needs on some paths is
imported on those paths, as each command and each app server worker pays for every import."""

import os
import subprocess
import sys

from django.conf import settings

START = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as an app server's first request loads them
print(",".join(sorted(name for name in ("redis",) if name in sys.modules)))
"""


def test_without_redis_url_no_process_imports_redis():
    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    environment["DJANGO_SETTINGS_MODULE"] = "unionportal.settings"
    started = subprocess.run([sys.executable, "-c", START], cwd=settings.BASE_DIR, env=environment,
                             capture_output=True, text=True, timeout=60, check=True)
    assert started.stdout.strip() == "", f"imported at start: {started.stdout.strip()}"


def test_cache_errors_match_redis_errors_once_redis_is_imported(monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import RedisError

    from unionportal.dependencies import cache_errors

    assert cache_errors() == (RedisError,)
    try:
        raise RedisConnectionError("down")
    except cache_errors() as exc:
        caught = exc
    assert isinstance(caught, RedisConnectionError)
    # A process that never imported redis cannot have met a redis error: nothing to match, and
    # matching imports nothing (a view's 404 passes through these clauses too).
    monkeypatch.delitem(sys.modules, "redis")
    assert cache_errors() == ()
    assert "redis" not in sys.modules
