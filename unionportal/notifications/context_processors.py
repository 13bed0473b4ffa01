"""The header's unread count: one COUNT query, only on pages that show it, once per request."""

from django.utils.functional import SimpleLazyObject


def unread_count(request) -> int:
    """The signed-in user's unread notifications, counted once per request."""
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = 0
        if user is not None and user.is_authenticated:
            cached = _count_unread(user.pk)
        request._unread_notifications = cached
    return cached


def _count_unread(user_id) -> int:
    """The COUNT compiled once per process (``unionportal.compiled_sql``): it is on every page."""
    from django.db import router
    from django.db.models import Count

    from unionportal import compiled_sql
    from unionportal.notifications.models import Notification

    def build():
        unread = Notification.objects.filter(recipient_id=compiled_sql.USER, read_at__isnull=True)
        return unread.order_by().values("recipient_id").annotate(n=Count("pk")).values("n").query

    row = compiled_sql.fetch_one(("notifications.unread",), build, router.db_for_read(Notification), user=user_id)
    return row[0] if row else 0


def unread(request):
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request))}
