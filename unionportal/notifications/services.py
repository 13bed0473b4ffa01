"""Writes of the inbox: marking read (the user's own rows only)."""

from django.utils import timezone

from unionportal.notifications.models import Notification


def mark_read(*, user, notification: Notification) -> bool:
    """Mark one of the user's notifications read; False when it was read already."""
    return bool(Notification.objects.filter(pk=notification.pk, recipient_id=user.pk,
                                            read_at__isnull=True).update(read_at=timezone.now()))


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now())
