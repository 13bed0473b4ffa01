"""Reads of the services app that need scoping or aggregation (every one through the gate)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from orgs.access import Action, fetch_scoped, granted_org_ids, scope_orgs, scope_queryset
from orgs.models import Org
from services import routing
from services.models import (
    Case,
    CaseAction,
    CaseStatus,
    FundRecord,
    LegalPersonCertificate,
    ModelWorker,
    MutualAidRound,
    ServiceStep,
    ServiceType,
    StepOutcome,
)
from unionportal import compiled_sql

CERTIFICATE_WARNING_DAYS = 90


def visible_cases(user):
    return scope_queryset(Case.objects.all(), user, Action.VIEW, "applicant")


def get_case_or_404(user, pk: int) -> Case:
    def build(gate_user):
        return (visible_cases(gate_user)
                .select_related("service_type", "applicant", "current_step", "current_org",
                                "submitted_by", "new_org", "model_worker")
                .filter(pk=compiled_sql.PK).order_by("pk")[:1])

    # Compiled once per process (orgs.access.fetch_scoped): building this eight-table query
    # through the ORM cost more than running it, on every case page and decision.
    found = fetch_scoped(("services.get_case_or_404",), build, user, by_key=True, pk=pk)
    if not found:
        raise Http404
    return found[0]


def _acting_orgs(user) -> tuple[list[int], list[int]]:
    """(orgs whose routed steps the user handles, orgs whose own steps the user fills): the orgs
    of the user's own grants, as the gate reads them; one query, cached on the user."""
    cached = getattr(user, "_services_acting_orgs", None)
    if cached is None:
        granted = granted_org_ids(user, Action.HANDLE, Action.FILL)
        cached = user._services_acting_orgs = (granted[Action.HANDLE], granted[Action.FILL])
    return cached


def _waiting_condition(user) -> Q:
    """Cases whose current step routes to an org the user acts for ("waiting for me").

    A reviewer's queue holds the steps routed to the org of their grant (the steps below it
    they may take too, but those wait for the reviewers there); a staff member's queue holds
    the steps their own union takes.  Literal ids keep the (status, current_org, due_at) index
    usable.
    """
    if user.is_superuser:
        return Q(awaiting_applicant=False)
    reviewing, filling = _acting_orgs(user)
    condition = Q(pk__in=[])
    if reviewing:
        condition |= Q(awaiting_applicant=False, current_org_id__in=reviewing)
    if filling:
        condition |= Q(awaiting_applicant=True, current_org_id__in=filling)
    return condition


# What a row of a case list shows (templates/services/_case_rows.html): a page of 50 cases
# builds 250 model instances, and loading every column of each cost more than the rest of the page.
CASE_ROW_FIELDS = ("title", "member_name", "status", "due_at", "returned", "submitted_at",
                   "service_type__name", "applicant__name", "current_step__position", "current_step__name",
                   "current_org__name")


def waiting_for(user):
    """Open cases waiting for the user; overdue first (the earliest due date is the most
    overdue, so due date ascending puts them first), then by due date, then oldest first."""
    return (
        Case.objects.filter(_waiting_condition(user), status=CaseStatus.IN_PROGRESS)
        .select_related("service_type", "applicant", "current_step", "current_org")
        .only(*CASE_ROW_FIELDS)
        .order_by(F("due_at").asc(nulls_last=True), "submitted_at", "id")
    )


def queue_counts(user, now=None) -> dict[str, int]:
    from django.db.models import Count

    now = now or timezone.now()
    return Case.objects.filter(_waiting_condition(user), status=CaseStatus.IN_PROGRESS).aggregate(
        waiting=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))


def case_list(user, *, status=None, service_type=None, term=""):
    cases = visible_cases(user).select_related("service_type", "applicant", "current_step",
                                               "current_org")
    if status:
        cases = cases.filter(status=status)
    if service_type:
        cases = cases.filter(service_type__code=service_type)
    if term:
        cases = cases.filter(Q(title__icontains=term) | Q(member_name__icontains=term)
                             | Q(applicant__name__icontains=term))
    return cases.order_by("-submitted_at", "-id")


@dataclass
class StepEntry:
    step: ServiceStep
    org: Org
    state: str  # done · current · pending · skipped
    actions: list = field(default_factory=list)


@dataclass
class Timeline:
    entries: list[StepEntry]
    actions: list[CaseAction]
    path: list[Org]  # the orgs the case travels through, in order


def timeline(case: Case) -> Timeline:
    """Each step with the org it routes to and what happened there (constant queries)."""
    steps = list(ServiceStep.objects.filter(service_type_id=case.service_type_id).order_by("position"))
    ancestors = list(case.applicant.get_ancestors())
    # Who acted is printed from ``actor_name``: no user row is read (nor kept with a case page).
    actions = list(case.actions.select_related("org").prefetch_related("attachments"))
    by_step: dict[int, list[CaseAction]] = {}
    for action in actions:
        by_step.setdefault(action.step_position, []).append(action)
    current = case.current_step.position if case.current_step_id else None
    entries, path = [], []
    for step in steps:
        org = routing.route(step.actor, case.applicant, ancestors)
        done = [a for a in by_step.get(step.position, ()) if a.kind != StepOutcome.RETURN]
        if case.is_open and step.position == current:
            state = "current"
        elif case.status == CaseStatus.COMPLETED or (current is not None and step.position < current and done):
            state = "done"
        elif case.status == CaseStatus.REJECTED and step.position == current:
            state = "rejected"
        else:
            state = "pending"
        entries.append(StepEntry(step=step, org=org, state=state,
                                 actions=by_step.get(step.position, [])))
        if not path or path[-1].pk != org.pk:
            path.append(org)
    return Timeline(entries=entries, actions=actions, path=path)


def visible_service_types(user):
    """The service types ``user`` may open (one query).

    A type is visible when its owner is visible, or when it is offered (``available_types``:
    active, of the org's own federation and owned by the org or an org above it, or shared
    with its federation) to an org the user may see.  Types owned by a federation are applied
    for by the unions below it, so their staff see them though they cannot see the federation.
    (Staff fill in for their own org only, which they also see, so VIEW covers every org a user
    may apply for.)
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return ServiceType.objects.none()
    if user.is_superuser:
        return ServiceType.objects.all()
    # Correlated to the type's owner: a probe per type, not the whole scope of 5,000 orgs hashed
    # to decide about a handful of types.
    owner_visible = scope_orgs(Org.objects.filter(pk=OuterRef("org_id")), user, Action.VIEW)
    offered_to_visible = scope_orgs(
        Org.objects.filter(tree_id=OuterRef("org__tree_id"), lft__gte=OuterRef("org__lft"),
                           rght__lte=OuterRef("org__rght")),
        user, Action.VIEW)
    visible_trees = scope_orgs(Org.objects.all(), user, Action.VIEW).values("tree_id")
    shared_with_visible = ServiceType.shared_with.through.objects.filter(
        servicetype_id=OuterRef("pk"), org__tree_id__in=visible_trees)
    return ServiceType.objects.filter(
        Q(Exists(owner_visible))
        | Q(Exists(offered_to_visible), federation__tree_id=F("org__tree_id"), is_active=True)
        | Q(Exists(shared_with_visible), is_active=True))


def service_types_for_duties(org, numbers, user=None) -> dict[str, list[ServiceType]]:
    """The service types that carry out the 运行流程 of ``org``'s duty items ``numbers``
    (only those ``user`` may open, when a user is given: ``visible_service_types``)."""
    types = ServiceType.objects.all() if user is None else visible_service_types(user)
    found: dict[str, list[ServiceType]] = {}
    for service_type in _carrying_out(types, org.pk, list(numbers)):
        found.setdefault(service_type.duty_number, []).append(service_type)
    return found


def service_types_for_duty(org, number: str, user) -> list[ServiceType]:
    """``service_types_for_duties`` of one item for ``user`` (the item's page), compiled once
    per process (``fetch_scoped``): building the gate's three EXISTS through the ORM cost more
    than running them."""
    return fetch_scoped(
        ("services.service_types_for_duty",),
        lambda gate_user: _carrying_out(visible_service_types(gate_user), compiled_sql.ORG, [compiled_sql.CODE]),
        user, org=org.pk, code=number)


def _carrying_out(types, org_id, numbers):
    return types.filter(duty_org_id=org_id, duty_number__in=numbers, is_active=True).order_by("position", "name")


def certificates_to_warn(user, today=None, within_days=CERTIFICATE_WARNING_DAYS):
    """Latest legal-person certificates in scope that expired or expire within ``within_days``."""
    today = today or timezone.localdate()
    return (scope_queryset(LegalPersonCertificate.objects.all(), user, Action.VIEW)
            .filter(expires_on__lte=today + dt.timedelta(days=within_days))
            .exclude(org__legal_person_certificates__expires_on__gt=F("expires_on"))
            .select_related("org").order_by("expires_on"))


def visible_workers(user, org):
    orgs = scope_orgs(org.get_descendants(include_self=True), user, Action.VIEW)
    return ModelWorker.objects.filter(org__in=orgs).select_related("org")


def fund_records(user, org, year):
    orgs = scope_orgs(org.get_descendants(include_self=True), user, Action.VIEW)
    return (FundRecord.objects.filter(org__in=orgs, year=year).select_related("org", "org__parent")
            .order_by("org__tree_id", "org__lft"))


def fund_years(user, org):
    orgs = scope_orgs(org.get_descendants(include_self=True), user, Action.VIEW)
    return sorted(set(FundRecord.objects.filter(org__in=orgs).values_list("year", flat=True)),
                  reverse=True)


def mutual_aid_rounds(user, org):
    orgs = scope_orgs(org.get_descendants(include_self=True), user, Action.VIEW)
    return (MutualAidRound.objects.filter(org__in=orgs).select_related("org", "closed_by")
            .order_by("-year", "org__lft", "name"))
