"""Collective consultation (集体协商) and the contract the congress approves."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.access import Action, require
from orgs.governance import rules
from orgs.governance.models import Consultation, MotionOutcome
from orgs.governance.services._common import _snapshot, _update
from orgs.governance.services.committees import chair_on
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none

CONSULTATION_FIELDS = (
    "year", "date", "employer", "union_representatives", "employer_representatives", "pay",
    "hours", "leave", "safety", "insurance", "contract_signed_on", "contract_valid_until",
    "approved_by",
)


def _check_consultation(consultation: Consultation) -> None:
    problems = rules.representatives_problems(
        union_side=consultation.union_side(), employer_side=consultation.employer_side(),
        union_chair=chair_on(consultation.org, consultation.date),
    )
    if consultation.approved_by_id is not None:
        motion = consultation.approved_by
        if motion.session.congress.org_id != consultation.org_id:
            problems.append(_("The approving resolution must be one of this union's congress."))
        elif motion.outcome != MotionOutcome.PASSED:
            problems.append(_("The chosen motion did not pass; it cannot approve the contract."))
        elif consultation.contract_signed_on and motion.session.date > consultation.contract_signed_on:
            problems.append(_("The contract is signed after the congress approves the terms."))
    if consultation.contract_signed_on and consultation.approved_by_id is None:
        problems.append(_("The terms go to the workers' congress before the contract is signed; "
                          "choose the resolution that approved them."))
    if (consultation.contract_signed_on and consultation.contract_valid_until
            and consultation.contract_valid_until < consultation.contract_signed_on):
        problems.append(_("The contract cannot end before it is signed."))
    if problems:
        raise ValidationError(problems)


def record_consultation(*, actor, org: Org, **values) -> Consultation:
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        consultation = Consultation(org=org, created_by=user_or_none(actor), **values)
        consultation.full_clean()
        _check_consultation(consultation)
        consultation.save()
        audit.record(actor=actor, action="governance.consultation.create", instance=consultation,
                     org=org, after=_snapshot(consultation, CONSULTATION_FIELDS))
    return consultation


def update_consultation(*, actor, consultation: Consultation, expected_version: int | None,
                        **changes) -> Consultation:
    return _update(Consultation, consultation, actor=actor, org=consultation.org,
                   expected_version=expected_version, fields=CONSULTATION_FIELDS,
                   action="governance.consultation.update", changes=changes,
                   check=_check_consultation)
