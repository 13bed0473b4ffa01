"""The sign-in event table (登录记录): kept apart from the audit trail, pruned after a while."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    """One sign-in, failed sign-in, lockout, password change or sign-out."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("signed in")
        FAILED = "failed", _("failed sign-in")
        LOCKED_OUT = "locked_out", _("locked out")
        PASSWORD_CHANGE = "password_change", _("password changed")
        SIGN_OUT = "sign_out", _("signed out")
        EXPIRED = "expired", _("session expired")
        SESSIONS_ENDED = "sessions_ended", _("sessions ended")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What was typed, so failures for unknown or mistyped names are visible too.
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # The session a sign-in opened, so all of a user's sessions can be ended at once.
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
