"""The daily digest: one mail per user per day with every notification they chose to get so."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.notifications import kinds
from unionportal.notifications.delivery import absolute
from unionportal.notifications.kinds import Channel
from unionportal.notifications.models import Digest, Notification

log = logging.getLogger("unionportal.notifications")
DIGEST_MAX_ITEMS = 200  # the rest stay in the inbox; the mail says how many more


def _pending():
    return Notification.objects.filter(channel=Channel.DIGEST, emailed_at__isnull=True)


def _claim(user, day) -> list[Notification] | None:
    """The user's unsent digest notifications, marked sent with today's digest; None when the
    digest of ``day`` went already (a second run the same day)."""
    try:
        with transaction.atomic():
            digest = Digest.objects.create(user=user, day=day)
            items = list(_pending().filter(recipient=user).order_by("created_at", "id"))
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(emailed_at=timezone.now())
            digest.count = len(items)
            digest.save(update_fields=["count"])
    except IntegrityError:
        return None
    return items


def compose(user, items: list[Notification]) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        for item in items[:DIGEST_MAX_ITEMS]:
            title, body = kinds.render(item.kind, item.params)
            lines.append({"title": title, "body": body, "link": absolute(item.link),
                          "created_at": item.created_at})
        text = render_to_string("notifications/email/digest.txt", {
            "user": user, "items": lines, "more": max(0, len(items) - DIGEST_MAX_ITEMS),
            "inbox": absolute("/inbox/"), "preferences": absolute("/inbox/settings/"),
        })
        subject = _("[%(portal)s] %(count)d new notifications") % {
            "portal": settings.PORTAL_NAME, "count": len(items)}
    return EmailMessage(subject=subject, body=text, to=[user.email.strip()])


def send_digests(day=None) -> int:
    """Send each user with unsent digest notifications their one mail of ``day``; returns how
    many mails left.  Users without an address are skipped (the inbox has everything)."""
    day = day or timezone.localdate()
    users = (get_user_model().objects.filter(pk__in=_pending().values("recipient_id"), is_active=True)
             .exclude(email="").exclude(pk__in=Digest.objects.filter(day=day).values("user_id")))
    users = list(users)
    if not users:
        return 0
    sent = 0
    with get_connection() as connection:
        for user in users:
            items = _claim(user, day)
            if not items:
                continue
            mail = compose(user, items)
            mail.connection = connection
            try:
                sent += mail.send()
            except Exception:  # noqa: BLE001 - one failing address never stops the others
                log.exception("digest of %s for user %s failed", day, user.pk)
    return sent
