"""Finding 6: a server never signs sessions with the public development key."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_development_key_without_debug() -> None:
    """Called where the web application starts (unionportal/wsgi.py: gunicorn and runserver).

    Offline commands (migrate, makemessages, check) still run without a key; only serving
    requests needs it, and only with debug on may that be the development fallback.
    """
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off: refusing to start with the "
            "public development key. Set DJANGO_SECRET_KEY to a long random value (e.g. the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
            "DJANGO_DEBUG=1 on a development machine."
        )
