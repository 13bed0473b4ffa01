from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_counts(context):
    """Cases waiting for the signed-in user and those they can open (home page):
    {"waiting": n, "overdue": m, "visible": k}."""
    from services.selectors import queue_counts, visible_cases

    user = context["request"].user
    if not user.is_authenticated:
        return {"waiting": 0, "overdue": 0, "visible": 0}
    # Readers (clerks) act on no case but may open every case of their unions.
    return {**queue_counts(user), "visible": visible_cases(user).count()}


@register.simple_tag(takes_context=True)
def registers(context):
    """The registers (model workers, budget, funds, mutual aid) the user can open."""
    from services.registers import registers_of

    user = context["request"].user
    return registers_of(user) if user.is_authenticated else []


@register.filter
def yuan(value) -> str:
    """Integer yuan with thousands separators: 436500 → 436,500."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"
