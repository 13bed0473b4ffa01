"""Sign-in in two steps (password, then a TOTP code for users who set one up) and the page
where every user sets up or removes two-factor sign-in."""

import time
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionportal import audit
from unionportal import views as portal_views
from unionportal.accounts.lockout import lockout_response

PENDING = "_portal_pending_second_factor"
# The password step is valid this long for entering the code.
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric", "autofocus": True}))


def confirmed_devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


class LoginView(portal_views.LoginView):
    """The password step; a user with a TOTP device continues to the code step."""

    def form_valid(self, form):
        user = form.get_user()
        if not confirmed_devices(user).exists():
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend,
                                         "at": time.time(), "next": self.get_success_url()}
        return redirect("login_code")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None, None
    user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@never_cache
@sensitive_post_parameters("code")
def login_code(request):
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Enter your username and password again."))
        return redirect("login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return lockout_response(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        device = next((d for d in confirmed_devices(user) if d.verify_token(code)), None)
        if device is not None:
            del request.session[PENDING]
            user.backend = pending["backend"]
            user.otp_device = device  # django-otp marks the session verified on login
            login(request, user)
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("home")
            return redirect(target)
        # A wrong code counts as a failed sign-in for the lockout, like a wrong password.
        user_login_failed.send(sender=__name__, credentials={**credentials, "reason": "wrong code"},
                               request=request)
        form.add_error("code", _("The code is wrong or has expired. Enter the current code."))
    return render(request, "registration/login_code.html", {"form": form, "username": user.get_username()})


def _concrete(user):
    """The user model instance behind django-otp's lazy ``request.user`` (the audit trail
    takes the model from the instance's type)."""
    return get_user_model()._default_manager.get(pk=user.pk)


def _qr_svg(url: str) -> str:
    # segno writes a plain SVG (no script), safe to embed under the coming CSP.
    return segno.make(url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


@login_required
@never_cache
def two_factor(request):
    """Set up (with a confirming code) or see the status of two-factor sign-in."""
    user = _concrete(request.user)
    device = confirmed_devices(user).first()
    if device is not None:
        return render(request, "registration/two_factor.html", {"device": device,
                                                                  "remove_form": RemoveForm()})
    candidate = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if candidate is None:
        candidate = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if candidate.verify_token(form.cleaned_data["code"].strip()):
            with transaction.atomic():
                candidate.confirmed = True
                candidate.save(update_fields=["confirmed"])
                audit.record(actor=user, action="auth.2fa_on", instance=user)
            otp_login(request, candidate)
            messages.success(request, _("Two-factor sign-in is on. From now on, signing in asks "
                                        "for a code from your authenticator app."))
            return redirect("two_factor")
        form.add_error("code", _("The code is wrong or has expired. Enter the current code."))
    secret = b32encode(candidate.bin_key).decode()
    return render(request, "registration/two_factor.html", {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(candidate.config_url)),  # segno's own SVG markup

        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })


class RemoveForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


@login_required
@require_POST
@sensitive_post_parameters("password")
def two_factor_remove(request):
    form = RemoveForm(request.POST)
    if not (form.is_valid() and request.user.check_password(form.cleaned_data["password"])):
        messages.error(request, _("The password is wrong; two-factor sign-in is still on."))
        return redirect("two_factor")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
        user = _concrete(request.user)
        audit.record(actor=user, action="auth.2fa_off", instance=user)
    request.session.pop("otp_device_id", None)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor")
