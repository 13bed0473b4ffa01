from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_counts(context):
    """Cases waiting for the signed-in user (home page): {"waiting": n, "overdue": m}."""
    from services.selectors import queue_counts

    user = context["request"].user
    if not user.is_authenticated:
        return {"waiting": 0, "overdue": 0}
    return queue_counts(user)


@register.filter
def yuan(value) -> str:
    """Integer yuan with thousands separators: 436500 → 436,500."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def percent_of(part, whole) -> int:
    try:
        return min(100, int(int(part) * 100 / int(whole))) if int(whole) else 100
    except (TypeError, ValueError):
        return 0
