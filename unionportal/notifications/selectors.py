"""Reads of the inbox: always the signed-in user's own rows."""

from django.shortcuts import get_object_or_404

from unionportal.notifications.models import Notification


def inbox(user, *, unread_only: bool = False):
    rows = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def own_notification_or_404(user, pk: int) -> Notification:
    """The user's own notification; another user's answers exactly like one that does not exist."""
    return get_object_or_404(Notification, pk=pk, recipient_id=user.pk)
