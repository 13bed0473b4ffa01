"""The shared stores an app server depends on besides the database: the cache (Redis), the
object store (files) and the job queue — their health for ``/healthz`` and a clear page when
one of them is down (docs/deployment.md, "When a store is down").

A page that needs a store that does not answer gets a 503 page that says which part of the
portal is unavailable (``DependencyDownMiddleware``); pages that do not need it keep working.
The PDF cache is optional: a PDF is rendered afresh when the cache does not answer.
"""

import functools
import logging
import sys
import threading
import time
import uuid

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db import connections
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# What the stores raise when they cannot be reached or refuse to answer.
STORAGE_ERRORS = (BotoCoreError, ClientError)
CHECK_SECONDS = 2.0  # each dependency of /healthz answers within this or counts as down
S3_BACKEND_PREFIX = "storages.backends."


def cache_errors() -> tuple[type[Exception], ...]:
    """What the shared cache raises when it cannot be reached (redis' errors), for ``except
    cache_errors():``, evaluated only once an exception is being matched.  Importing redis cost
    every process 60-100 ms, and without REDIS_URL nothing imports it: then no redis error can
    have been raised, and the empty tuple matches nothing (this is also asked for every 404)."""
    if "redis" not in sys.modules:
        return ()
    from redis.exceptions import RedisError

    return (RedisError,)


class DependencyTimeout(Exception):
    """A health check that did not finish within ``CHECK_SECONDS``."""


def uses_redis_cache() -> bool:
    return any("RedisCache" in config.get("BACKEND", "") for config in settings.CACHES.values())


def uses_object_storage() -> bool:
    return settings.STORAGES["default"]["BACKEND"].startswith(S3_BACKEND_PREFIX)


def check_cache() -> None:
    # A key of this check's own: health checks of several workers, or of several balancers,
    # run at once, and one writing a shared key between another's write and read made a
    # working cache look down (a 503 seen under load).
    store = caches["default"]
    key, value = f"healthz:{uuid.uuid4().hex}", str(time.time_ns())
    store.set(key, value, timeout=30)
    try:
        if store.get(key) != value:
            raise RuntimeError("the cache did not keep a value")
    finally:
        store.delete(key)


@functools.lru_cache(maxsize=4)
def _s3_client(endpoint, access_key, secret_key, region, style):
    """A client for the health check, made once per process (making one reads botocore's
    models, which alone can take longer than the check may), one attempt, short timeouts."""
    import boto3

    from unionportal.shared_stores import s3_client_config

    config = s3_client_config(connect_timeout=CHECK_SECONDS, read_timeout=CHECK_SECONDS,
                              addressing_style=style, attempts=1)
    return boto3.session.Session().client("s3", endpoint_url=endpoint, aws_access_key_id=access_key,
                                          aws_secret_access_key=secret_key, region_name=region,
                                          config=config)


def storage_check():
    """The check of the object store: its bucket answers (HEAD bucket). The client is made
    here, before the clock starts; only the request is bounded."""
    storage = default_storage
    style = (getattr(storage.client_config, "s3", None) or {}).get("addressing_style", "auto")
    client = _s3_client(storage.endpoint_url, storage.access_key, storage.secret_key,
                        storage.region_name, style)
    bucket = storage.bucket_name
    return lambda: client.head_bucket(Bucket=bucket)


def separate_job_queue() -> bool:
    """Whether the job queue lives outside the database (RQ on Redis): only then is it a
    dependency of its own; the database backend is covered by "database"."""
    backend = (getattr(settings, "TASKS", None) or {}).get("default", {}).get("BACKEND", "")
    return bool(backend) and not backend.startswith(("django_tasks_db.", "django_tasks.backends."))


def check_jobs() -> None:
    from unionportal.jobs.health import queue_status  # the jobs package's own check

    if queue_status() != "ok":
        raise RuntimeError("the job queue does not answer")


def _failed() -> None:
    raise RuntimeError("not checked")


def configured_checks() -> dict:
    """``{key: check}`` for each dependency this server is configured with."""
    checks = {}
    if uses_redis_cache():
        checks["cache"] = check_cache
    if uses_object_storage():
        try:
            checks["storage"] = storage_check()
        except Exception:  # a client that cannot even be made: the store counts as down
            logger.warning("Health check storage: no client", exc_info=True)
            checks["storage"] = _failed
    if separate_job_queue():
        checks["jobs"] = check_jobs
    return checks


def run_bounded(checks: dict, seconds: float = CHECK_SECONDS) -> dict[str, str]:
    """Run the checks side by side, each within ``seconds``: ``{key: "ok" | "error"}``.

    A check that hangs is left to finish in its daemon thread (its store's own timeouts end it)
    and counts as down; what went wrong goes to the log only, never into the answer."""
    results: dict[str, str] = {}
    threads = {}

    def run(key, check):
        try:
            check()
        except Exception:
            logger.warning("Health check %s failed", key, exc_info=True)
            results[key] = "error"
        else:
            results[key] = "ok"
        finally:
            # A check that touched the database opened a connection of this thread's own;
            # close it here, or every /healthz would leave one behind until the thread is
            # collected (and a test database could not be dropped).
            connections.close_all()

    for key, check in checks.items():
        threads[key] = threading.Thread(target=run, args=(key, check), name=f"healthz-{key}", daemon=True)
        threads[key].start()
    deadline = time.monotonic() + seconds
    for key, thread in threads.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            logger.warning("Health check %s took longer than %.1f s", key, seconds)
    return {key: results.get(key, "error") if not threads[key].is_alive() else "error"
            for key in checks}


def unavailable_part(exception) -> str | None:
    """``"cache"`` or ``"storage"`` when ``exception`` says that store is down, else None."""
    if isinstance(exception, cache_errors()):
        return "cache"
    if isinstance(exception, STORAGE_ERRORS):
        return "storage"
    return None


def unavailable_message(part: str) -> str:
    if part == "storage":
        return _("The file store does not answer, so files cannot be uploaded or downloaded right "
                 "now. Everything else in the portal still works. Try again in a few minutes.")
    return _("The shared cache does not answer, so this page cannot be shown right now. "
             "Try again in a few minutes.")


class DependencyDownMiddleware:
    """A store that is down: a 503 page saying what is unavailable, one log line, no traceback
    to the user (the rest of the portal keeps answering)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        part = unavailable_part(exception)
        if part is None:
            return None
        logger.error("%s is unavailable for %s: %s", part, request.path, type(exception).__name__)
        response = TemplateResponse(request, "unavailable.html",
                                    {"message": unavailable_message(part)}, status=503)
        response["Retry-After"] = "60"
        return response.render()
