"""Where files and the cache live, from the environment (docs/deployment.md).

Imported by ``settings.py``; no Django import here, so it runs before settings exist.

- Files (uploaded evidence, case attachments, meeting minutes, large generated PDFs): the
  ``var/media`` folder as the embedded default; an S3-compatible object store through
  django-storages when ``AWS_STORAGE_BUCKET_NAME`` is set (``AWS_S3_ENDPOINT_URL``,
  ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``; optional ``AWS_S3_REGION_NAME``,
  ``AWS_S3_ADDRESSING_STYLE``, ``AWS_LOCATION``). Objects are private (no public ACL, no URL
  is ever handed out): every download streams through a view behind the scoping gate.
- The cache (rendered PDFs, refusal de-duplication): Redis (Django's ``RedisCache``, its client kept) when
  ``REDIS_URL`` is set, the database otherwise (tables ``unionportal_cache`` and
  ``unionportal_pdf_cache``, created by ``migrate``).

Every network call to Redis or the object store is bounded by short timeouts, so a store that
is down answers with an error page within seconds instead of holding a worker.
"""

DEFAULT_CACHE_TABLE = "unionportal_cache"
PDF_CACHE_TABLE = "unionportal_pdf_cache"
PDF_CACHE_SECONDS = 7 * 24 * 3600
S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
# Seconds: reaching the store, then waiting for an answer (an upload of 10 MB fits easily).
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 20


def _env(environ, name: str) -> str:
    return (environ.get(name) or "").strip()


def uses_object_storage(environ) -> bool:
    return bool(_env(environ, "AWS_STORAGE_BUCKET_NAME"))


def s3_client_config(*, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                     addressing_style: str = "auto", attempts: int = 2):
    from botocore.config import Config

    return Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                  retries={"mode": "standard", "total_max_attempts": attempts},
                  signature_version="s3v4", s3={"addressing_style": addressing_style})


def default_storage_setting(environ) -> dict:
    """``STORAGES["default"]``: the object store when a bucket is named, else ``var/media``."""
    bucket = _env(environ, "AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        return {"BACKEND": FILESYSTEM_BACKEND}
    endpoint = _env(environ, "AWS_S3_ENDPOINT_URL") or None
    # A self-hosted store (MinIO, Ceph, SeaweedFS…) at an endpoint usually wants path-style URLs.
    style = _env(environ, "AWS_S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto")
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": _env(environ, "AWS_ACCESS_KEY_ID") or None,
            "secret_key": _env(environ, "AWS_SECRET_ACCESS_KEY") or None,
            "region_name": _env(environ, "AWS_S3_REGION_NAME") or None,
            "location": _env(environ, "AWS_LOCATION"),
            "default_acl": "private",
            "querystring_auth": True,  # a URL, were one ever made, would be signed and short-lived
            "querystring_expire": 300,
            "file_overwrite": False,  # like the filesystem: a name in use gets a new one
            "max_memory_size": 2 * 1024 * 1024,  # a download beyond this spools to a temporary file
            "client_config": s3_client_config(addressing_style=style),
        },
    }


DATABASE_CACHE_ENTRIES = 20_000


def caches_setting(environ, *, max_pdf_entries: int = 2000) -> dict:
    """``CACHES``: every alias on Redis when ``REDIS_URL`` is set, in the database otherwise."""
    url = _env(environ, "REDIS_URL")
    if url:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        common = {
            "BACKEND": "unionportal.page_cache.PortalRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": CONNECT_TIMEOUT,
                        "retry": Retry(NoBackoff(), 1), "health_check_interval": 30},
        }
        return {
            "default": {**common, "KEY_PREFIX": "unionportal"},
            "pdf": {**common, "KEY_PREFIX": "unionportal-pdf", "TIMEOUT": PDF_CACHE_SECONDS},
            # Shared page parts: a down Redis reads as a miss (unionportal/page_cache.py).
            "pages": {**common, "BACKEND": "unionportal.page_cache.TolerantRedisCache",
                      "KEY_PREFIX": "unionportal-pages"},
        }
    database = "django.core.cache.backends.db.DatabaseCache"
    return {
        # One table for both: its size is counted whole, so both allow the kept page values
        # (per scope, page and case) before culling (Django's default, 300, would cull on
        # nearly every write and take the refusals' keys first).
        "default": {"BACKEND": database, "LOCATION": DEFAULT_CACHE_TABLE,
                    "OPTIONS": {"MAX_ENTRIES": DATABASE_CACHE_ENTRIES}},
        "pages": {"BACKEND": database, "LOCATION": DEFAULT_CACHE_TABLE, "KEY_PREFIX": "pages",
                  "OPTIONS": {"MAX_ENTRIES": DATABASE_CACHE_ENTRIES}},
        "pdf": {"BACKEND": database, "LOCATION": PDF_CACHE_TABLE, "TIMEOUT": PDF_CACHE_SECONDS,
                "OPTIONS": {"MAX_ENTRIES": max_pdf_entries}},
    }


def database_cache_tables(caches: dict) -> set[str]:
    """The tables of the database caches in ``caches`` (skipped by backups and emptiness checks)."""
    return {config["LOCATION"] for config in caches.values()
            if config.get("BACKEND", "").endswith("db.DatabaseCache")}
