"""Recording sign-in events (登录记录) and ending a user's sessions.

Signals are the one place every sign-in and password path meets (the portal's forms, the
admin, commands, the test client), so the receivers live here; ``apps.ready`` imports them.
"""

from contextvars import ContextVar
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from unionportal.accounts.models import SignInEvent

Kind = SignInEvent.Kind
# The request being served, so that a password change deep in a model save knows the address.
current_request: ContextVar = ContextVar("unionportal_current_request", default=None)
# Prune at most once per this many writes; a full scan on every sign-in is wasteful.
PRUNE_EVERY = 200


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or from X-Forwarded-For behind trusted proxies.

    With N trusted proxies the client is the N-th address from the right of the header; a
    client can prepend anything it likes, so the left-most entries are never trusted.
    """
    if request is None:
        return None
    count = getattr(settings, "UNIONPORTAL_TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


def record(kind: str, *, request=None, user=None, username: str = "", detail: str = "",
           session_key: str = "") -> SignInEvent:
    request = request if request is not None else current_request.get()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = SignInEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=_valid_ip(client_ip(request)),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        session_key=session_key or "",
        detail=detail[:200],
    )
    if event.pk % PRUNE_EVERY == 0:
        prune()
    return event


def _valid_ip(value):
    import ipaddress

    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def prune(now=None) -> int:
    """Delete events older than UNIONPORTAL_SIGN_IN_EVENTS_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.UNIONPORTAL_SIGN_IN_EVENTS_DAYS)
    deleted, _per_model = SignInEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def end_user_sessions(user, *, reason: str, keep_session_key: str | None = None) -> int:
    """End every session the user opened (found through their recorded sign-ins)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys = set(
        SignInEvent.objects.filter(user=user, kind=Kind.SIGN_IN, created_at__gte=since)
        .exclude(session_key="")
        .values_list("session_key", flat=True)
    )
    keys.discard(keep_session_key)
    for key in keys:
        store(session_key=key).delete()
    record(Kind.SESSIONS_ENDED, user=user, detail=reason)
    return len(keys)


@receiver(user_logged_in, dispatch_uid="unionportal.accounts.signed_in")
def _signed_in(sender, request, user, **kwargs):
    from unionportal.accounts.sessions import start_session

    session = getattr(request, "session", None)
    if session is not None:
        start_session(session, user)
        if session.session_key is None:
            session.save()
    record(Kind.SIGN_IN, request=request, user=user,
           session_key=getattr(session, "session_key", "") or "")


@receiver(user_login_failed, dispatch_uid="unionportal.accounts.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    if getattr(request, "axes_locked_out", False):
        detail = "refused while locked out"
    else:
        detail = str(credentials.get("reason", ""))
    record(Kind.FAILED, request=request, username=username, detail=detail)


@receiver(user_logged_out, dispatch_uid="unionportal.accounts.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    expired = getattr(request, "session_expired_reason", "")
    record(Kind.EXPIRED if expired else Kind.SIGN_OUT, request=request, user=user, detail=expired)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="unionportal.accounts.password")
def _password_saved(sender, instance, created, **kwargs):
    # AbstractBaseUser keeps the new raw password in ``_password`` until after post_save, on
    # every path that sets one (form, admin, command, service); a hash upgrade clears it first.
    if not created and getattr(instance, "_password", None) is not None:
        record(Kind.PASSWORD_CHANGE, user=instance)
