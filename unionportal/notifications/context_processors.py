"""The header's unread count: one COUNT query, only on pages that show it, once per request."""

from django.utils.functional import SimpleLazyObject


def unread_count(request) -> int:
    """The signed-in user's unread notifications, counted once per request."""
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = 0
        if user is not None and user.is_authenticated:
            from unionportal.notifications.models import Notification

            cached = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
        request._unread_notifications = cached
    return cached


def unread(request):
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request))}
