"""Refused requests (403, 400): one log line each, and a light entry in the audit trail.

Django logs a refused request (``PermissionDenied``, ``SuspiciousOperation``) with its full
traceback - 58 MB of log during one probe.  ``OneLineRefusals`` (a logging filter on the
``django.request`` and ``django.security`` loggers, see LOGGING in the settings) rewrites
those records as one line: who, which path, why.  ``record_refusal`` writes the audit entry
(action ``access.refused``); the same user and path are recorded at most once per
``UNIONPORTAL_REFUSAL_AUDIT_SECONDS`` (default 10 minutes) so a loop of refusals cannot
flood the trail.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

REFUSED_ACTION = "access.refused"
DEFAULT_REASON = "permission denied"
DEFAULT_REASONS = {400: "bad request", 403: DEFAULT_REASON}
# The message Django's request handler logs for any 4xx response (reason phrase: path).
GENERIC_RESPONSE_MESSAGE = "%s: %s"
logger = logging.getLogger("unionportal.refusals")


def one_line(text, limit: int = 300) -> str:
    """Text safe to put on one log line: control characters escaped, length bounded."""
    text = str(text)
    cleaned = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                      for char in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def user_label(request) -> str:
    user = getattr(request, "user", None)
    try:
        if user is not None and user.is_authenticated:
            return one_line(user.get_username(), 150)
    except Exception:  # a log line must never fail (the session may be unreadable)
        return "unknown"
    return "anonymous"


def refusal_reason(request, exception=None, default=DEFAULT_REASON) -> str:
    """Why the request was refused: what the code said (``request.refusal_reason``, the
    exception's message) or, when it said nothing, ``default``."""
    reason = getattr(request, "refusal_reason", "") or (str(exception) if exception else "")
    return one_line(reason or default, 200)


class OneLineRefusals(logging.Filter):
    """Turns a refused request's log record (with its traceback) into one line."""

    statuses = (400, 403)

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status not in self.statuses or getattr(record, "one_line", False):
            return True
        request = getattr(record, "request", None)
        exception = record.exc_info[1] if record.exc_info else None
        path = "" if request is None else one_line(getattr(request, "path", ""))
        # A record without an exception may still say why (the CSRF check's "Forbidden (CSRF
        # token missing.): /path"); Django's generic "Forbidden: /path" says nothing more.
        default = DEFAULT_REASONS.get(status, DEFAULT_REASON)
        if exception is None and record.msg != GENERIC_RESPONSE_MESSAGE:
            default = record.getMessage()
        record.msg = "Refused %s: user=%s path=%s reason=%s"
        record.args = (status, user_label(request), path, refusal_reason(request, exception, default))
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        record.one_line = True  # the handler's filter passes it through unchanged
        return True


def record_refusal(request, exception=None) -> None:
    """Put a refused access in the audit trail (once per user and path per window).

    The entry's object is the refused user's account, its text the path and the comment the
    reason; it names no org, so only superusers see it in the audit admin.  A failing database
    must not turn a 403 into a 500, so a write error only logs.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return  # anonymous visitors are sent to sign in; their refusals stay in the log only
    # Imported here: the logging configuration imports this module before the apps are ready.
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from unionportal.dependencies import cache_errors
    from unionportal.models import AuditEntry

    path = request.path
    window = getattr(settings, "UNIONPORTAL_REFUSAL_AUDIT_SECONDS", 600)
    digest = hashlib.sha256(path.encode("utf-8", "replace")).hexdigest()
    key = f"refused:{user.pk}:{digest}"
    try:
        if not cache.add(key, 1, timeout=window):
            return
    except cache_errors():  # the shared cache is down: record it (perhaps twice), never a 500
        logger.warning("Cache unavailable; the refusal is recorded without de-duplication")
    try:
        AuditEntry.objects.create(
            actor=user,
            action=REFUSED_ACTION,
            content_type=ContentType.objects.get_for_model(get_user_model()),
            object_id=str(user.pk),
            object_repr=one_line(path, 200),
            comment=refusal_reason(request, exception),
        )
    except DatabaseError:
        logger.warning("Could not record the refusal of %s for %s in the audit trail",
                       user_label(request), one_line(path))
