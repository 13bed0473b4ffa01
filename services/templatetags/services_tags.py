from django import template

from unionportal.fragment_store import FragmentStore, SharedValues, values

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_counts(context):
    """Cases waiting for the signed-in user and those they can open (home page):
    {"waiting": n, "overdue": m, "visible": k}."""
    from orgs.access import Action
    from orgs.selectors import user_scope
    from services.selectors import queue_counts, visible_cases

    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return {"waiting": 0, "overdue": 0, "visible": 0}
    # Cases wait only for those who handle or fill steps: asked only of those roles, whose
    # orgs come from the grants the page read once (services.selectors keeps them on the user).
    scope = user_scope(request)
    acting = scope.holds(Action.HANDLE, Action.FILL)
    if acting:
        granted = scope.granted_org_ids(Action.HANDLE, Action.FILL)
        user._services_acting_orgs = (granted[Action.HANDLE], granted[Action.FILL])

    def counts():
        waiting = queue_counts(user) if acting else {"waiting": 0, "overdue": 0}
        # Readers (clerks) act on no case but may open every case of their unions.
        return {**waiting, "visible": visible_cases(user).count()}

    # A federation counts 50,000 cases here: kept until a case is written (or a minute, for
    # what becomes overdue meanwhile), shared by everyone with the same grants.
    return scope.until_written("home.cases", ("services",), counts)


@register.simple_tag(takes_context=True)
def registers(context):
    """The registers (model workers, budget, funds, mutual aid) the user can open."""
    from orgs.selectors import user_scope
    from services.registers import registers_of

    request = context["request"]
    if not request.user.is_authenticated:
        return []
    # The user's top orgs from the grants the page already read (one query per request); the
    # sums over a city's registers kept until a register is written.
    scope = user_scope(request)
    return scope.until_written("home.registers", ("services",),
                               lambda: registers_of(request.user, scope.top_orgs()))


@register.filter
def yuan(value) -> str:
    """Integer yuan with thousands separators: 436500 → 436,500."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


_case_row_store = FragmentStore(4096, "services/_case_row.html")


@register.simple_tag
def case_rows(cases, now):
    """The rows of a list of cases; a row rendered before for the same case, as it is now, comes
    from the fragment store (a queue's 50 rows cost ~10 ms of CPU to render)."""
    shared = SharedValues()  # a queue's few service types, steps and handling orgs, once each

    def key_parts(case):
        overdue = bool(case.is_open and case.due_at and case.due_at < now)
        return (values(case), shared(case.service_type), values(case.applicant),
                shared(case.current_step), shared(case.current_org), overdue)

    return _case_row_store.rows(list(cases), key_parts, lambda case: {"case": case, "now": now})
