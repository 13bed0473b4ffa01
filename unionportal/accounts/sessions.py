"""Session limits: an idle timeout and an absolute lifetime (shorter for admins and scorers),
and — when the setting asks — two-factor sign-in for everyone who administers."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionportal.accounts import events

STARTED = "_portal_started"
LAST_SEEN = "_portal_last_seen"
LIFETIME = "_portal_lifetime"
# Refresh the idle clock at most this often, so that not every request writes the session.
TOUCH_EVERY = 60


def is_privileged(user) -> bool:
    """Admins and scorers get the shorter absolute lifetime (12 hours by default); which roles
    those are is the gate's to say (setting UNIONPORTAL_PRIVILEGED_USER names its function)."""
    return user.is_superuser or import_string(settings.UNIONPORTAL_PRIVILEGED_USER)(user)


def administers(user) -> bool:
    """Who must set up two-factor sign-in when asked (setting UNIONPORTAL_ADMINISTERS)."""
    return user.is_superuser or import_string(settings.UNIONPORTAL_ADMINISTERS)(user)


def start_session(session, user, now=None) -> None:
    now = now or time.time()
    session[STARTED] = now
    session[LAST_SEEN] = now
    session[LIFETIME] = (settings.UNIONPORTAL_SESSION_PRIVILEGED_SECONDS if is_privileged(user)
                         else settings.UNIONPORTAL_SESSION_MAX_SECONDS)


def expiry_reason(session, now) -> str:
    started = session.get(STARTED)
    if started is None:
        return ""
    if now - session.get(LAST_SEEN, started) > settings.UNIONPORTAL_SESSION_IDLE_SECONDS:
        return "idle"
    if now - started > session.get(LIFETIME, settings.UNIONPORTAL_SESSION_MAX_SECONDS):
        return "lifetime"
    return ""


def expires_at(session) -> float | None:
    """When the session ends if the user does nothing more (seconds since the epoch)."""
    started = session.get(STARTED)
    if started is None:
        return None
    return min(session.get(LAST_SEEN, started) + settings.UNIONPORTAL_SESSION_IDLE_SECONDS,
               started + session.get(LIFETIME, settings.UNIONPORTAL_SESSION_MAX_SECONDS))


# Paths a user who must still set up two-factor sign-in may open.
TWO_FACTOR_OPEN = ("two_factor", "two_factor_remove", "logout", "login", "login_code", "set_language")


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = events.current_request.set(request)
        try:
            refused = self.enforce(request)
            return refused if refused is not None else self.get_response(request)
        finally:
            events.current_request.reset(token)

    def enforce(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        now = time.time()
        if session.get(STARTED) is None:  # signed in before these limits existed
            start_session(session, user, now)
        reason = expiry_reason(session, now)
        if reason:
            request.session_expired_reason = reason
            logout(request)
            messages.info(request, _("Your session ended after a time without activity or at its "
                                     "time limit. Sign in again: what you typed in a form is kept "
                                     "in this browser and filled in again."))
            if request.path_info == reverse("logout"):  # nothing to come back to
                return redirect("login")
            return redirect_to_login(request.get_full_path())
        if now - session.get(LAST_SEEN, 0) >= TOUCH_EVERY:
            session[LAST_SEEN] = now
        # For the warning before expiry (static/js/session.js reads them from <body>).
        request.session_expires_at = int(expires_at(session))
        request.session_ends_at = int(session[STARTED] + session.get(LIFETIME, 0))
        request.session_idle_seconds = settings.UNIONPORTAL_SESSION_IDLE_SECONDS
        request.session_warning_seconds = settings.UNIONPORTAL_SESSION_WARNING_SECONDS
        if self.needs_second_factor(request):
            match = request.resolver_match or _resolve(request.path_info)
            if match is not None and match.url_name in TWO_FACTOR_OPEN:
                return None
            if TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
                # Signed in without the code (before the rule was on): sign in again with it.
                logout(request)
                messages.warning(request, _("Administrators must sign in with their two-factor "
                                            "code. Sign in again."))
                return redirect_to_login(request.get_full_path())
            messages.warning(request, _("Administrators must use two-factor sign-in. Set it up "
                                        "to continue."))
            return redirect(reverse("two_factor"))
        return None

    @staticmethod
    def needs_second_factor(request) -> bool:
        if not settings.UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS:
            return False
        user = request.user
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return False
        return administers(user)


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None
