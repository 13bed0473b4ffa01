"""Brute-force protection around django-axes: the backend, the client address, the Chinese
lockout page with the time to try again, and the lockout's audit entry."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from unionportal import audit
from unionportal.accounts import events
from unionportal.actors import SYSTEM


class PortalAxesBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in made from a request.

    A sign-in without a request (the shell, the test client's ``login``) has no address to
    throttle and no form to brute-force; axes would refuse it outright, so it passes here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request):
    return events.client_ip(request)


def locked_until(request, username: str):
    """When the lockout of this username or this address ends (None when not locked)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    address = client_ip(request)
    limit = get_failure_limit(request, {"username": username})
    matching = Q(username=username) if username else Q(pk__in=[])
    if address:
        matching |= Q(ip_address=address)
    last = (AccessAttempt.objects.filter(matching, failures_since_start__gte=limit)
            .aggregate(last=Max("attempt_time"))["last"])
    return last + cool_off if last else timezone.now() + cool_off


def lockout_response(request, original_response=None, credentials=None):
    username = get_client_username(request, credentials) or ""
    until = locked_until(request, username)
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60)) if until else None
    context = {"username": username, "until": until, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


@receiver(user_locked_out, dispatch_uid="unionportal.accounts.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    event = events.record(events.Kind.LOCKED_OUT, request=request, username=username or "")
    user = get_user_model()._default_manager.filter(username=username).first() if username else None
    # Nobody is signed in: the portal locks the account itself.
    audit.record(actor=SYSTEM, action="auth.lockout", instance=user or event,
                 comment=f"username={username or ''} address={ip_address or ''}")
