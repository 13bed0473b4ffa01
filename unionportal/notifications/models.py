"""The inbox (one row per recipient and hand-off), each user's channel per kind, digests sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.notifications import kinds
from unionportal.notifications.kinds import Channel


class Notification(models.Model):
    """One message to one user.  ``key`` names what it is about (an audit entry, a round's
    reminder of a day): a second delivery with the same key for the same user writes nothing."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=60)
    # What the kind's title and body are filled with (rendered in the reader's language).
    params = models.JSONField(_("details"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=200)
    channel = models.CharField(_("delivery"), max_length=10, choices=Channel.choices,
                               default=Channel.PORTAL)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # When it left by e-mail (at once, or in a digest): a job retried sends nothing twice.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["channel", "emailed_at"], name="notification_digest"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.title}"

    @property
    def title(self) -> str:
        return kinds.render(self.kind, self.params)[0]

    @property
    def body(self) -> str:
        return kinds.render(self.kind, self.params)[1]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How one user wants one kind delivered (absent: the kind's default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(_("delivery"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.kind} · {self.channel}"


class Digest(models.Model):
    """One digest mail per user per day: a second run the same day sends nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("notifications"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notification_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.user} · {self.day}"
