"""Settings for the test suite: production settings with plain HTTP and no collectstatic."""

from unionportal.settings import *  # noqa: F403

# The live server for browser tests speaks plain HTTP.
HTTPS = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

# Static files from the apps' folders, as in development (no manifest, no collectstatic).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Argon2/PBKDF2 would dominate the suite's time; tests need no slow hash (the production
# order is proven in tests/unionportal/test_auth_passwords.py).
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests seed demo data with debug off; `seed --demo` otherwise refuses (finding 7).
UNIONPORTAL_DEMO_ALLOWED = True

# Each test run starts with an empty PDF cache.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pdf": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pdf"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}

# Print templates used only by the renderer's own tests.
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]}]  # noqa: F405

# The suite runs on a busy 2-core machine (CI runs browsers beside it): the render deadline
# would turn a slow render into a flaky 503. The deadline itself is tested with its own
# values in tests/unionportal/test_pdf_bounds.py.
PDF_RENDER_SECONDS = 120

# Background jobs run at once, inside the request or the test (unionportal/jobs/); the real
# workers are tested with their own backends in tests/jobs/. Pre-rendering on publish and
# finalise is off except in the tests about it (each would render a PDF at every commit).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
UNIONPORTAL_PRERENDER_PDFS = False

# A joined PDF's parts are laid out in this process: each pool of worker processes started two
# fresh interpreters (about a second of CPU each to import Django and WeasyPrint) for a
# test's few small parts. The pool itself is proven in tests/unionportal/test_pdf_parts.py,
# which sets its own number of processes.
PDF_RENDER_PROCESSES = 1
