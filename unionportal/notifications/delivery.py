"""Writing notifications and sending the ones their recipients want by e-mail at once.

``notify`` is what the apps call (from a receiver of ``unionportal.audit.recorded`` or a
scheduled job).  It writes one inbox row per recipient - none for the actor, none twice for the
same (recipient, key) - and, once the transaction commits, sends the immediate e-mails: through
a background task when the task API is installed, else right away.  A failing mail server is
logged and never breaks the request or the job that caused the notification.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from unionportal.notifications import kinds
from unionportal.notifications.kinds import Channel
from unionportal.notifications.models import Notification
from unionportal.notifications.preferences import channels_for

log = logging.getLogger("unionportal.notifications")
LINK_MAX = 500


@dataclass
class Message:
    """What one recipient is told: the kind's params and the page to open."""

    params: dict = field(default_factory=dict)
    link: str = ""


def notify(kind: str, recipient_ids, *, key: str, params: dict | None = None, link: str = "",
           actor_id: int | None = None) -> int:
    """The same message to each of ``recipient_ids``; returns how many rows were written."""
    message = Message(params or {}, link)
    return notify_each(kind, dict.fromkeys(recipient_ids, message), key=key, actor_id=actor_id)


def notify_each(kind: str, messages: dict, *, key: str, actor_id: int | None = None) -> int:
    """``messages``: {user id: Message}.  Never the actor; never twice per (user, key)."""
    messages = {user_id: message for user_id, message in messages.items()
                if user_id is not None and user_id != actor_id}
    if not messages:
        return 0
    key = key[:200]
    already = set(Notification.objects.filter(recipient_id__in=messages, key=key)
                  .values_list("recipient_id", flat=True))
    fresh = {user_id: message for user_id, message in messages.items() if user_id not in already}
    if not fresh:
        return 0
    channels = channels_for(fresh, kind)
    now = timezone.now()
    Notification.objects.bulk_create(
        [Notification(recipient_id=user_id, kind=kind, params=message.params,
                      link=message.link[:LINK_MAX], key=key, channel=channels[user_id], created_at=now)
         for user_id, message in fresh.items()],
        ignore_conflicts=True,  # a scheduler running twice at once: the constraint decides
    )
    immediate = [user_id for user_id in fresh if channels[user_id] == Channel.EMAIL]
    if immediate:
        ids = list(Notification.objects.filter(recipient_id__in=immediate, key=key,
                                               emailed_at__isnull=True).values_list("pk", flat=True))
        if ids:
            transaction.on_commit(lambda: dispatch_emails(ids))
    return len(fresh)


def dispatch_emails(ids: list[int]) -> None:
    """Send the immediate mails of ``ids``: a background task if there is a task API."""
    from unionportal.notifications import tasks

    try:
        tasks.enqueue_emails(ids)
    except Exception:  # noqa: BLE001 - a mail never breaks the request that caused it
        log.exception("notification mails %s could not be queued or sent", ids)


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.UNIONPORTAL_SITE_URL + link


def _claim(ids) -> list[Notification]:
    """The immediate-mail notifications of ``ids`` not mailed yet, marked as mailed (only one
    sender wins: a task retried, or run twice, sends nothing twice)."""
    claimed = []
    for notification in (Notification.objects.filter(pk__in=ids, channel=Channel.EMAIL,
                                                     emailed_at__isnull=True)
                         .select_related("recipient")):
        now = timezone.now()
        if Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now):
            claimed.append(notification)
    return claimed


def compose(notification: Notification) -> EmailMessage | None:
    """The mail of one notification, in the portal's language; None without an address."""
    address = (notification.recipient.email or "").strip()
    if not address:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        title, body = kinds.render(notification.kind, notification.params)
        text = render_to_string("notifications/email/notification.txt", {
            "user": notification.recipient, "title": title, "body": body,
            "link": absolute(notification.link), "inbox": absolute("/inbox/"),
            "preferences": absolute("/inbox/settings/"),
        })
        subject = f"[{settings.PORTAL_NAME}] {title}"
    return EmailMessage(subject=subject.replace("\n", " ")[:200], body=text, to=[address])


def send_emails(ids) -> int:
    """Send the immediate mail of each notification of ``ids`` once; returns how many left."""
    claimed = _claim(ids)
    mails = [(notification, compose(notification)) for notification in claimed]
    mails = [(notification, mail) for notification, mail in mails if mail is not None]
    if not mails:
        return 0
    sent = 0
    try:
        with get_connection() as connection:
            for notification, mail in mails:
                mail.connection = connection
                try:
                    sent += mail.send()
                except Exception:  # noqa: BLE001 - one bad address never stops the others
                    log.exception("notification %s: the mail to user %s failed",
                                  notification.pk, notification.recipient_id)
    except Exception:  # noqa: BLE001 - the server cannot be reached: logged, the inbox has it
        log.exception("notification mails: the mail server cannot be reached")
    return sent
