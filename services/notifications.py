"""Who is told what when a member-service case moves (connected in ServicesConfig.ready).

A case routed to a step (submitted, passed on, returned) reaches whoever may act on that step
now, by the same rule as ``services.cases.may_act``: the applicant's staff for a step the
applicant fills, else the reviewers nearest above (or at) the org the step is routed to.
A case completed or rejected reaches the applicant's staff.  Never the actor.
"""

from django.utils.translation import gettext_lazy as _

from orgs.access import Action
from orgs.recipients import user_ids_who_may
from services.models import Case
from unionportal.notifications import hooks, kinds
from unionportal.notifications.delivery import notify

ROUTED = "services.routed"
RETURNED = "services.returned"
COMPLETED = "services.completed"
REJECTED = "services.rejected"


def register_kinds() -> None:
    kinds.register(ROUTED, _("Service cases waiting for you"),
                   _("Case %(number)s waits for you: %(step)s"),
                   _("%(applicant)s: %(title)s"), order=20)
    kinds.register(RETURNED, _("Service cases returned to you"),
                   _("Case %(number)s was returned: %(step)s"),
                   _("%(applicant)s: %(title)s\nReason:\n%(reason)s"), order=21)
    kinds.register(COMPLETED, _("Your service cases completed"),
                   _("Case %(number)s is completed"),
                   _("%(applicant)s: %(title)s\n%(comment)s"), order=22)
    kinds.register(REJECTED, _("Your service cases rejected"),
                   _("Case %(number)s was rejected"),
                   _("%(applicant)s: %(title)s\nReason:\n%(comment)s"), order=23)


def _case(entry) -> Case | None:
    return (Case.objects.select_related("current_step", "current_org", "applicant")
            .filter(pk=entry.object_id).first())


def handlers_of(case: Case) -> set[int]:
    """The users who may take the case's current step (services.cases.may_act, inverted)."""
    if not case.is_open or case.current_step is None or case.current_org is None:
        return set()
    if case.current_step.applicant_fills:
        return user_ids_who_may(Action.FILL, case.current_org)
    return user_ids_who_may(Action.HANDLE, case.current_org, nearest=True)


def _params(case: Case, **extra) -> dict:
    return {"number": case.number, "title": case.title, "applicant": case.applicant.name,
            "step": case.current_step.name if case.current_step else "", **extra}


def routed(entry) -> None:
    case = _case(entry)
    if case is None:
        return
    kind = RETURNED if entry.action == "case.return" else ROUTED
    notify(kind, handlers_of(case), key=f"audit:{entry.pk}",
           params=_params(case, reason=entry.comment.strip() or "—"),
           link=case.get_absolute_url(), actor_id=entry.actor_id)


def closed(entry) -> None:
    case = _case(entry)
    if case is None:
        return
    kind = REJECTED if entry.action == "case.reject" else COMPLETED
    notify(kind, user_ids_who_may(Action.FILL, case.applicant), key=f"audit:{entry.pk}",
           params=_params(case, comment=entry.comment.strip()),
           link=case.get_absolute_url(), actor_id=entry.actor_id)


HANDLERS = {
    "case.submit": routed,
    "case.pass": routed,
    "case.return": routed,
    "case.complete": closed,
    "case.reject": closed,
}


def connect() -> None:
    register_kinds()
    hooks.on_actions("services", HANDLERS)
