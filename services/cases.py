"""The case workflow: applying for a member service and deciding each step of the case.

``submit_case`` opens a case; every later decision on its current step is one entry of
``TRANSITIONS`` (pass on, complete, return, reject), taken through ``decide``: it locks the case
row, checks that the step is still the one the user saw (``step_id``) and that the actor may
take it, applies the move, saves and audits, all in one transaction.  A repeated form (a double
click, a reloaded POST) finds its own action already done and changes nothing; a form
overtaken by someone else's action is refused (``ConflictError``).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case as Choose
from django.db.models import Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.access import Action, can, require
from orgs.models import Org
from services import documents as required
from services import routing
from services.founding import check_founding, found_union
from services.models import (
    Case,
    CaseAction,
    CaseAttachment,
    CaseStatus,
    LegalPersonCertificate,
    ServiceKind,
    ServiceStep,
    ServiceType,
    StepData,
    StepOutcome,
)
from unionportal import audit
from unionportal.actors import is_system, user_or_none
from unionportal.concurrency import ConflictError, lock
from unionportal.stored_files import removed_on_failure, stored
from unionportal.uploads import DOCUMENTS, check_uploads

CASE_FIELDS = ("status", "current_step", "current_org", "returned", "due_at", "aid_granted",
               "aid_paid", "outcome", "new_org")

# Attachments on case actions: PDF, images and office files, ten at most (10 MB each).
MAX_FILES = 10
ATTACHMENT_TYPES = DOCUMENTS


# --- who may act --------------------------------------------------------------------------------


def may_act(user, case: Case) -> bool:
    """Whether ``user`` may take the current step of ``case``.

    A step the applicant fills (applying, resubmitting after a return, 建会's member
    registration and elections) belongs to the applicant's own staff (Action.FILL on the
    applicant): a reviewer above it may read the case but not act for the union.  Any other
    step (an approval routed to an org, the applicant's included) belongs to the reviewers
    whose grant covers the routed org (Action.HANDLE)."""
    if not case.is_open or case.current_step is None or case.current_org is None:
        return False
    if case.current_step.applicant_fills:
        return can(user, Action.FILL, case.current_org)
    return can(user, Action.HANDLE, case.current_org)


def took_step(user, case: Case, step_id) -> bool:
    """Whether ``user`` already acted on step ``step_id`` of ``case``: a repeated form (a double
    submit) answers as the first one did instead of being refused."""
    try:
        step_id = int(step_id)
    except (TypeError, ValueError):
        return False
    if user_or_none(user) is None:
        return False
    return case.actions.filter(step_id=step_id, actor=user).exists()


def may_apply(user, applicant: Org) -> bool:
    """The applicant's own staff apply (interfaces page: staff apply for its own org's cases)."""
    return can(user, Action.FILL, applicant)


def federation_of(org: Org) -> Org:
    """The federation (the top of the tree) an org belongs to."""
    return org if org.parent_id is None else org.get_root()


def available_types(applicant: Org):
    """Active service types of the applicant's own federation owned by the applicant or an org
    above it, and those another federation explicitly shares with it; its own first."""
    federation = federation_of(applicant)
    owners = applicant.get_ancestors(include_self=True)
    own = Q(federation=federation, org__in=owners)
    shared = Q(pk__in=ServiceType.shared_with.through.objects.filter(org=federation)
               .values("servicetype_id"))
    return (ServiceType.objects.filter(own | shared, is_active=True)
            .annotate(shared=Choose(When(own, then=Value(False)), default=Value(True)))
            .order_by("shared", "position", "name"))


# --- helpers ------------------------------------------------------------------------------------


def _actor_name(user) -> str:
    if user is None or is_system(user):
        return _("system")
    return user.get_full_name() or user.get_username()


def _steps(case: Case) -> list[ServiceStep]:
    return list(ServiceStep.objects.filter(service_type_id=case.service_type_id).order_by("position"))


def _arrive(case: Case, step: ServiceStep, ancestors, now, *, returned=False) -> None:
    org = routing.route(step.actor, case.applicant, ancestors)
    case.current_step = step
    case.current_org = org
    case.awaiting_applicant = step.applicant_fills
    case.returned = returned
    case.due_at = now + dt.timedelta(days=step.deadline_days) if step.deadline_days else None


def _record(case, step, org, kind, user, comment, now, data=None, files=()) -> CaseAction:
    action = CaseAction.objects.create(
        case=case, step=step, step_position=step.position, step_name=step.name, org=org,
        kind=kind, actor=user_or_none(user), actor_name=_actor_name(user), comment=comment, data=data or {},
        created_at=now,
    )
    for upload, content_type, *document in files:
        attachment = CaseAttachment.objects.create(
            case=case, action=action, file=upload, name=upload.name[:200],
            content_type=content_type, size=upload.size, uploaded_by=user_or_none(user),
            document=document[0] if document else "",
        )
        stored(attachment.file)  # removed again if the transition fails
    return action


def _documents(steps, documents, paper, now):
    """The labelled files and paper deliveries for the documents ``steps`` list (others are
    ignored), checked: ({document: (upload, content_type)}, {document: PaperDelivery})."""
    wanted = {name for step in steps for name in step.document_list}
    files = {name: check_uploads([upload], max_files=1, allowed=ATTACHMENT_TYPES)[0]
             for name, upload in (documents or {}).items() if upload and name in wanted}
    paper = {name: delivery for name, delivery in (paper or {}).items()
             if delivery and name in wanted and name not in files}
    required.check_paper(paper, timezone.localdate(now))
    return files, paper


def _with_documents(files, documents: dict, step) -> list:
    return [*files, *((upload, content_type, name) for name, (upload, content_type) in documents.items()
                      if name in step.document_list)]


def _audit(user, name, case, before, comment="") -> None:
    audit.record(actor=user, action=f"case.{name}", instance=case, org=case.applicant,
                 before=before, after=audit.snapshot(case, CASE_FIELDS), comment=comment)


def _begin(user, case: Case, step_id: int, *kinds: str) -> tuple[Case, bool]:
    """Lock the case; (case, True) when this exact action was already taken (a double submit)."""
    locked = lock(Case.objects.select_related("current_step", "current_org", "service_type",
                                              "applicant").filter(pk=case.pk), None)
    if locked.is_open and locked.current_step_id == step_id:
        if not may_act(user, locked):
            raise PermissionDenied
        return locked, False
    done = CaseAction.objects.filter(case=locked, step_id=step_id, kind__in=kinds,
                                     actor=user_or_none(user)).exists()
    if done:
        return locked, True
    raise ConflictError(_("This case has moved on since you opened it; reload the page."))


# --- step data ----------------------------------------------------------------------------------


def _json_ready(data: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in data.items()}


def _apply_step_data(case: Case, step: ServiceStep, data: dict | None) -> dict:
    """Store what the step records on the case; a missing required value is refused."""
    data = {key: value for key, value in (data or {}).items() if value not in (None, "", [])}
    if step.data == StepData.MEMBERS:
        if not data.get("members"):
            raise ValidationError({"members": _("Enter the number of members registered.")})
        case.details = {**case.details, "members": int(data["members"])}
    elif step.data == StepData.OFFICERS:
        if not data.get("chair"):
            raise ValidationError({"chair": _("Enter the elected chair.")})
        case.details = {**case.details, "officers": _json_ready(data)}
    elif step.data == StepData.CERTIFICATE:
        if not data.get("certificate_number") or not data.get("expires_on"):
            raise ValidationError(_("Enter the certificate number and its expiry date."))
        case.details = {**case.details, "certificate": _json_ready(data)}
    elif step.data == StepData.AID:
        granted, paid = data.get("aid_granted"), data.get("aid_paid", 0)
        if granted is None:
            raise ValidationError({"aid_granted": _("Enter the aid granted.")})
        if int(paid) > int(granted):
            raise ValidationError({"aid_paid": _("The aid paid cannot exceed the aid granted.")})
        case.aid_granted, case.aid_paid = int(granted), int(paid)
    elif step.data == StepData.OUTCOME:
        if not data.get("outcome"):
            raise ValidationError({"outcome": _("Enter the result.")})
        case.outcome = data["outcome"]
    return _json_ready(data)


# --- applying -----------------------------------------------------------------------------------


def submit_case(*, actor, service_type: ServiceType, applicant: Org, token=None, title: str,
                member_name: str = "", description: str = "", details: dict | None = None,
                model_worker=None, files=(), documents=None, paper=None, now=None) -> Case:
    """Apply: create the case and complete the applicant's opening steps (those without data).

    Refused until each required document of the steps the application takes is attached
    (``documents``: {name: upload}) or delivered on paper (``paper``: {name: PaperDelivery}).
    A repeated submit with the same form ``token`` returns the case the first one created.
    """
    require(actor, Action.FILL, applicant)  # the applicant's own staff apply
    if token is not None:
        existing = Case.objects.filter(submit_token=token).first()
        if existing is not None:
            return existing
    if not available_types(applicant).filter(pk=service_type.pk).exists():
        raise ValidationError(_("%(type)s is not offered to %(org)s.")
                              % {"type": service_type.name, "org": applicant.name})
    details = dict(details or {})
    if service_type.kind == ServiceKind.FOUNDING:
        check_founding(details)
    if service_type.member_required and not member_name.strip():
        raise ValidationError({"member_name": _("Name the member this application is for.")})
    files = check_uploads(files, max_files=MAX_FILES, allowed=ATTACHMENT_TYPES)
    steps = _steps(Case(service_type=service_type))
    if not steps:
        raise ValidationError(_("%(type)s has no steps yet.") % {"type": service_type.name})
    now = now or timezone.now()
    opening = required.submission_steps(steps)
    documents, paper = _documents(opening, documents, paper, now)
    required.check_provided(opening, documents=documents, paper=paper)
    try:
        with transaction.atomic(), removed_on_failure():
            case = Case(service_type=service_type, applicant=applicant, title=title.strip(),
                        member_name=member_name.strip(), description=description.strip(),
                        details=details, model_worker=model_worker,
                        submitted_by=user_or_none(actor), submitted_at=now)
            if token is not None:
                case.submit_token = token
            _open(case, steps, actor, files, documents, now)
            required.record_paper(case=case, steps=opening, paper=paper, actor=actor, now=now)
            _audit(actor, "submit", case, None)
    except IntegrityError:
        # Two submits of the same form raced: the other one created the case.
        existing = Case.objects.filter(submit_token=token).first() if token else None
        if existing is None:
            raise
        return existing
    return case


def _open(case: Case, steps: list[ServiceStep], actor, files, documents, now) -> None:
    """Save the new case at its first step; the applicant's opening steps (without data) are
    done by the application itself, so it arrives at the first step that is not."""
    applicant = case.applicant
    ancestors = list(applicant.get_ancestors())
    _arrive(case, steps[0], ancestors, now)
    case.save()
    index = 0
    while index < len(steps) - 1 and steps[index].applicant_fills and not steps[index].data:
        _record(case, steps[index], applicant, StepOutcome.SUBMIT, actor, "", now,
                files=_with_documents(files if index == 0 else (), documents, steps[index]))
        index += 1
        _arrive(case, steps[index], ancestors, now)
    if index == 0:  # nothing for the applicant to do: the submission is the first action
        _record(case, steps[0], applicant, StepOutcome.SUBMIT, actor, "", now,
                files=_with_documents(files, documents, steps[0]))
        case.awaiting_applicant = steps[0].applicant_fills
    case.save()


# --- deciding a step: the transition table ------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """What one decision on the current step was given (the case locked, its step current)."""

    actor: object
    case: Case
    step: ServiceStep
    comment: str
    data: dict | None
    files: list
    documents: dict | None
    paper: dict | None
    now: dt.datetime


@dataclass(frozen=True)
class Transition:
    """One decision a user takes on a case's current step (the case page's buttons)."""

    event: str  # the audit entry's action: case.<event>
    kinds: tuple[str, ...]  # the actions it records: a repeated form finds one and changes nothing
    on_applicant_step: bool  # whether the applicant's own step may take it (it submits)
    apply: Callable[[Move], None]  # the move itself, inside the transaction
    done: str  # the page's message once taken
    reason: str = ""  # the error when the decision needs a reason and has none


def _step_documents(move: Move):
    """The current step's documents: on a step the applicant submits, each required one must
    be provided (now or earlier); elsewhere they are recorded when given."""
    case, step = move.case, move.step
    documents, paper = _documents([step], move.documents, move.paper, move.now)
    if step.applicant_fills:
        required.check_provided([step], documents=documents, paper=paper,
                                already={step.position: required.provided_on(case, step)})
    return documents, paper


def _decide_step(move: Move, kind: str, documents: dict, paper: dict) -> None:
    """Record the step's data, documents and files as decided (passed on or completed)."""
    case, step = move.case, move.step
    recorded = _apply_step_data(case, step, move.data)
    if kind == StepOutcome.COMPLETE:
        _finish(case, move.actor, move.now)
    _record(case, step, case.current_org, kind, move.actor, move.comment, move.now, recorded,
            _with_documents(move.files, documents, step))
    required.record_paper(case=case, steps=[step], paper=paper, actor=move.actor, now=move.now)


def _pass(move: Move) -> None:
    documents, paper = _step_documents(move)
    following = [s for s in _steps(move.case) if s.position > move.step.position]
    if not following:
        raise ValidationError(_("This is the last step: complete the case instead."))
    kind = StepOutcome.SUBMIT if move.step.applicant_fills else StepOutcome.PASS
    _decide_step(move, kind, documents, paper)
    _arrive(move.case, following[0], list(move.case.applicant.get_ancestors()), move.now)


def _return(move: Move) -> None:
    previous = [s for s in _steps(move.case) if s.position < move.step.position]
    if not previous:
        raise ValidationError(_("The first step has no step before it to return to."))
    _record(move.case, move.step, move.case.current_org, StepOutcome.RETURN, move.actor,
            move.comment.strip(), move.now, files=move.files)
    _arrive(move.case, previous[-1], list(move.case.applicant.get_ancestors()), move.now,
            returned=True)


def _reject(move: Move) -> None:
    _record(move.case, move.step, move.case.current_org, StepOutcome.REJECT, move.actor,
            move.comment.strip(), move.now, files=move.files)
    _close(move.case, CaseStatus.REJECTED, move.now)


def _complete(move: Move) -> None:
    if ServiceStep.objects.filter(service_type_id=move.case.service_type_id,
                                  position__gt=move.step.position).exists():
        raise ValidationError(_("Steps remain: pass the case on instead."))
    documents, paper = _step_documents(move)
    _decide_step(move, StepOutcome.COMPLETE, documents, paper)
    _close(move.case, CaseStatus.COMPLETED, move.now)


def _close(case: Case, status: str, now) -> None:
    case.status = status
    case.closed_at = now
    case.awaiting_applicant = False
    case.due_at = None


# decision → transition.  Returning and rejecting are the reviewers': the applicant submits its
# own step and neither returns it to itself nor refuses its own application.
TRANSITIONS: dict[str, Transition] = {
    "pass": Transition("pass", (StepOutcome.PASS, StepOutcome.SUBMIT), True, _pass,
                       done=gettext_lazy("Passed on.")),
    "complete": Transition("complete", (StepOutcome.COMPLETE,), True, _complete,
                           done=gettext_lazy("Completed.")),
    "return": Transition("return", (StepOutcome.RETURN,), False, _return,
                         done=gettext_lazy("Returned to the previous step."),
                         reason=gettext_lazy("Give a reason for returning the case.")),
    "reject": Transition("reject", (StepOutcome.REJECT,), False, _reject,
                         done=gettext_lazy("Rejected."),
                         reason=gettext_lazy("Give a reason for rejecting the case.")),
}


def decide(decision: str, *, actor, case: Case, step_id: int, comment: str = "", data=None,
           files=(), documents=None, paper=None, now=None) -> Case:
    """Take ``decision`` (a key of ``TRANSITIONS``) on step ``step_id`` of ``case``.

    Locks the case, checks that the step is still the current one and that ``actor`` may take
    it, applies the move, saves and audits, in one transaction; the files written are removed
    again if it fails.  A repeated form (the same actor's action on that step already taken)
    returns the case unchanged; a form overtaken by someone else's action raises ConflictError.
    """
    transition = TRANSITIONS[decision]
    if transition.reason and not comment.strip():
        raise ValidationError({"comment": str(transition.reason)})
    files = check_uploads(files, max_files=MAX_FILES, allowed=ATTACHMENT_TYPES)
    now = now or timezone.now()
    with transaction.atomic(), removed_on_failure():
        case, done = _begin(actor, case, step_id, *transition.kinds)
        if done:
            return case
        if case.current_step.applicant_fills and not transition.on_applicant_step:
            raise PermissionDenied
        before = audit.snapshot(case, CASE_FIELDS)
        transition.apply(Move(actor=actor, case=case, step=case.current_step, comment=comment,
                              data=data, files=files, documents=documents, paper=paper, now=now))
        case.save()
        _audit(actor, transition.event, case, before, comment)
    return case


def pass_on(*, actor, case: Case, step_id: int, comment: str = "", data=None, files=(),
            documents=None, paper=None, now=None) -> Case:
    """Approve the current step and pass the case on to the next (routed) step."""
    return decide("pass", actor=actor, case=case, step_id=step_id, comment=comment, data=data,
                  files=files, documents=documents, paper=paper, now=now)


def return_case(*, actor, case: Case, step_id: int, reason: str, files=(), now=None) -> Case:
    """Send the case back to the previous step, with a reason."""
    return decide("return", actor=actor, case=case, step_id=step_id, comment=reason,
                  files=files, now=now)


def reject_case(*, actor, case: Case, step_id: int, reason: str, files=(), now=None) -> Case:
    """Refuse the application for good, with a reason."""
    return decide("reject", actor=actor, case=case, step_id=step_id, comment=reason,
                  files=files, now=now)


def complete_case(*, actor, case: Case, step_id: int, comment: str = "", data=None, files=(),
                  documents=None, paper=None, now=None) -> Case:
    """Take the last step: close the case and do what its service type promises."""
    return decide("complete", actor=actor, case=case, step_id=step_id, comment=comment,
                  data=data, files=files, documents=documents, paper=paper, now=now)


def _finish(case: Case, actor, now) -> None:
    kind = case.service_type.kind
    if kind == ServiceKind.FOUNDING:
        found_union(case, actor, now)
    elif kind == ServiceKind.LEGAL_PERSON:
        certificate = case.details.get("certificate") or {}
        if not certificate.get("certificate_number"):
            raise ValidationError(_("Record the certificate number and its expiry first."))
        LegalPersonCertificate.objects.create(
            org=case.applicant, number=certificate["certificate_number"],
            issued_on=certificate.get("issued_on") or None,
            expires_on=certificate["expires_on"], case=case,
        )
    elif kind in (ServiceKind.HARDSHIP, ServiceKind.MODEL_WORKER_AID) and case.aid_granted is None:
        raise ValidationError(_("Record the aid granted and paid first."))
