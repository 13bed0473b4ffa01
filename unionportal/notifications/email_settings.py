"""E-mail settings from the environment (read by unionportal/settings.py; no Django apps needed).

``DJANGO_EMAIL_URL`` names the whole server in one value:

    smtp://host:25                       plain SMTP
    smtp+tls://user:password@host:587    SMTP with STARTTLS
    smtp+ssl://user:password@host:465    SMTP over TLS (``smtps://`` too)
    console://                           print each mail on standard output
    dummy://                             mail off

User and password may be percent-encoded (``%40`` for ``@``); ``?timeout=20`` sets the socket
timeout (10 seconds by default, so a hanging server never holds a worker for long).  Without
it, Django's own names are read (``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``, ``EMAIL_TIMEOUT``,
``EMAIL_BACKEND``); with neither, mail goes to the console in debug and nowhere otherwise.
``DJANGO_DEFAULT_FROM_EMAIL`` is the sender.  (dj-email-url does this too, but has not been
released since 2022; this is a few lines of urllib.)
"""

from urllib.parse import parse_qs, unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
DUMMY = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_TIMEOUT = 10

# scheme -> (use TLS, use SSL, default port)
SMTP_SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtp+ssl": (False, True, 465),
    "smtps": (False, True, 465),
}
OTHER_SCHEMES = {"console": CONSOLE, "dummy": DUMMY}
DJANGO_NAMES = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
                "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT")


class EmailUrlError(ValueError):
    """DJANGO_EMAIL_URL cannot be read (the message never repeats the password)."""


def _timeout(value: str, name: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise EmailUrlError(f"{name}: the timeout must be a whole number of seconds") from None
    if seconds <= 0:
        raise EmailUrlError(f"{name}: the timeout must be positive")
    return seconds


def parse_email_url(url: str) -> dict:
    """Django's EMAIL_* settings for one DJANGO_EMAIL_URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in OTHER_SCHEMES:
        return {"EMAIL_BACKEND": OTHER_SCHEMES[scheme]}
    if scheme not in SMTP_SCHEMES:
        known = ", ".join(sorted([*SMTP_SCHEMES, *OTHER_SCHEMES]))
        raise EmailUrlError(f"DJANGO_EMAIL_URL: unknown scheme {scheme!r} (use one of {known})")
    use_tls, use_ssl, default_port = SMTP_SCHEMES[scheme]
    if not parts.hostname:
        raise EmailUrlError("DJANGO_EMAIL_URL: no host (for example smtp+tls://user:password@host:587)")
    try:
        port = parts.port or default_port
    except ValueError:
        raise EmailUrlError("DJANGO_EMAIL_URL: the port is not a number") from None
    query = parse_qs(parts.query)
    timeout = _timeout(query["timeout"][-1], "DJANGO_EMAIL_URL") if "timeout" in query else DEFAULT_TIMEOUT
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _from_django_names(environ) -> dict:
    result = {"EMAIL_BACKEND": environ.get("EMAIL_BACKEND") or SMTP,
              "EMAIL_TIMEOUT": DEFAULT_TIMEOUT}
    for name in ("EMAIL_HOST", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        if name in environ:
            result[name] = environ[name]
    if environ.get("EMAIL_PORT"):
        try:
            result["EMAIL_PORT"] = int(environ["EMAIL_PORT"])
        except ValueError:
            raise EmailUrlError("EMAIL_PORT is not a number") from None
    for name in ("EMAIL_USE_TLS", "EMAIL_USE_SSL"):
        if name in environ:
            result[name] = _flag(environ[name])
    if environ.get("EMAIL_TIMEOUT"):
        result["EMAIL_TIMEOUT"] = _timeout(environ["EMAIL_TIMEOUT"], "EMAIL_TIMEOUT")
    if result.get("EMAIL_USE_TLS") and result.get("EMAIL_USE_SSL"):
        raise EmailUrlError("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive; set one")
    return result


def email_settings(environ, *, debug: bool) -> dict:
    """Every EMAIL_* setting and DEFAULT_FROM_EMAIL / SERVER_EMAIL from ``environ``."""
    url = environ.get("DJANGO_EMAIL_URL", "").strip()
    if url:
        result = parse_email_url(url)
    elif any(environ.get(name) for name in DJANGO_NAMES):
        result = _from_django_names(environ)
    else:
        result = {"EMAIL_BACKEND": CONSOLE if debug else DUMMY}
    sender = environ.get("DJANGO_DEFAULT_FROM_EMAIL", "").strip() or "webmaster@localhost"
    result["DEFAULT_FROM_EMAIL"] = sender
    result["SERVER_EMAIL"] = sender
    result["EMAIL_SUBJECT_PREFIX"] = ""
    return result
