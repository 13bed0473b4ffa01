"""Benchmarks run on a scratch database of their own, never the development one.

BENCH_DATABASE_URL picks it (default: SQLite at var/bench.sqlite3); DATABASE_URL is ignored so
that a benchmark can never flush real data.
"""

import os

import dj_database_url

from tests.settings import *  # noqa: F403
from unionportal.shared_stores import caches_setting

# Connections kept as production keeps them (unionportal/settings.py): a new PostgreSQL
# connection for every request cost the floor most of its time under gunicorn.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'bench.sqlite3'}",  # noqa: F405
        conn_max_age=60, conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20,
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
else:  # PostgreSQL as production runs it (unionportal/settings.py: no JIT, prepared statements)
    DATABASES["default"]["OPTIONS"] = dict(POSTGRES_OPTIONS)  # noqa: F405

DEBUG = False
# Real password hashing, and the cache as production configures it (unionportal/shared_stores.py):
# Redis when REDIS_URL is set (every gunicorn worker of the throughput and load runs shares it,
# as N app servers do), the database's cache tables otherwise; PDFs kept as many and as long as
# production keeps them. (A file-based cache here, gone from production, cost a cached sheet
# PDF 2.5 ms of CPU to read and decompress.)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
CACHES = caches_setting(os.environ)
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# The floor view of the throughput benchmark exists only here (bench/urls.py), never in production.
ROOT_URLCONF = "bench.urls"

# The load test (bench/load.py) runs jobs as production does: queued in the database and run by
# `manage.py work` beside gunicorn, not inside the request that starts them (tests.settings).
if os.environ.get("BENCH_JOBS") == "worker":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UNIONPORTAL_PRERENDER_PDFS = True  # a sheet finalised, a catalogue published: its PDF in a job
