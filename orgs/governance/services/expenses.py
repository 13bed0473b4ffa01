"""Expenses under one pen (一支笔): the limits, then each expense signed by handler and witness,
approved by the chair, paid, and an advance settled."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.access import Action, require
from orgs.governance import rules
from orgs.governance.models import Expense, ExpenseKind, ExpenseLimits
from orgs.governance.services._common import (
    _lock,
    _refuse_voided,
    _snapshot,
    _update,
)
from orgs.governance.services.committees import chair_on
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none

LIMIT_FIELDS = ("cash_on_hand", "bank_transfer_from", "petty_item", "petty_total")


def limits_for(org: Org) -> ExpenseLimits:
    """The org's limits (defaults until it sets its own; not saved by reading)."""
    return ExpenseLimits.objects.filter(org=org).first() or ExpenseLimits(org=org)


def set_expense_limits(*, actor, org: Org, expected_version: int | None = None,
                       **values) -> ExpenseLimits:
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        limits, _created = ExpenseLimits.objects.get_or_create(
            org=org, defaults={"created_by": user_or_none(actor)})
        return _update(ExpenseLimits, limits, actor=actor, org=org, expected_version=expected_version,
                   fields=LIMIT_FIELDS, action="governance.limits.update", changes=values)


def record_expense(*, actor, org: Org, kind: str, date: dt.date, purpose: str, amount: Decimal,
                   handler: str) -> Expense:
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        expense = Expense(org=org, kind=kind, date=date, purpose=purpose, amount=amount,
                          handler=handler, created_by=user_or_none(actor))
        expense.full_clean()
        if expense.amount <= 0:
            raise ValidationError(_("The amount must be more than zero."))
        expense.save()
        audit.record(actor=actor, action="governance.expense.create", instance=expense, org=org,
                     after=_snapshot(expense))
    return expense


def _expense_step(expense, *, actor, expected_version, action, step):
    with transaction.atomic():
        require(actor, Action.RECORD, expense.org)
        current = _lock(expense, expected_version)
        _refuse_voided(current)
        before = _snapshot(current)
        step(current)
        current.full_clean()
        current.save_new_version()
        audit.record(actor=actor, action=action, instance=current, org=current.org, before=before,
                     after=_snapshot(current))
    return current


def sign_expense(*, actor, expense: Expense, as_role: str, name: str, on: dt.date,
                 expected_version: int | None = None) -> Expense:
    """The handler (经手人) or the witness (证明人) signs; they are two different people."""
    def step(current):
        if current.paid_on:
            raise ValidationError(_("It has been paid already."))
        if as_role == "handler":
            if name.strip() != current.handler:
                raise ValidationError(_("Only the handler, %(name)s, signs as handler.")
                                      % {"name": current.handler})
            current.handler_signed_on = on
        elif as_role == "witness":
            if not name.strip() or name.strip() == current.handler:
                raise ValidationError(_("The witness is someone other than the handler."))
            current.witness, current.witness_signed_on = name.strip(), on
        else:
            raise ValidationError(_("Unknown signature."))

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action=f"governance.expense.sign.{as_role}", step=step)


def approve_expense(*, actor, expense: Expense, chair: str, on: dt.date,
                    expected_version: int | None = None) -> Expense:
    """The chair's approval (主席核批); where a term is recorded, only its chair approves."""
    def step(current):
        if current.paid_on:
            raise ValidationError(_("It has been paid already."))
        known_chair = chair_on(current.org, on)
        if known_chair is not None and chair.strip() != known_chair:
            raise ValidationError(_("Only the union's chair, %(name)s, approves expenses.")
                                  % {"name": known_chair})
        current.approved_by, current.approved_on = chair.strip(), on

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action="governance.expense.approve", step=step)


def pay_expense(*, actor, expense: Expense, on: dt.date, method: str,
                expected_version: int | None = None) -> Expense:
    """Payment, refused until handler and witness have signed and the chair has approved."""
    def step(current):
        if current.paid_on:
            raise ValidationError(_("It has been paid already."))
        problems = rules.payment_problems(
            handler_signed=current.handler_signed_on is not None,
            witness_signed=current.witness_signed_on is not None,
            approved=current.approved_on is not None, amount=current.amount, method=method,
            bank_transfer_from=limits_for(current.org).bank_transfer_from,
        )
        if problems:
            raise ValidationError([ValidationError(p, code="not_payable") for p in problems])
        current.paid_on, current.payment_method = on, method

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action="governance.expense.pay", step=step)


def settle_advance(*, actor, expense: Expense, on: dt.date,
                   expected_version: int | None = None) -> Expense:
    def step(current):
        if current.kind != ExpenseKind.ADVANCE:
            raise ValidationError(_("Only a cash advance is settled."))
        if current.paid_on is None:
            raise ValidationError(_("The advance has not been paid out."))
        if current.settled_on is not None:
            raise ValidationError(_("The advance is settled already."))
        if on < current.paid_on:
            raise ValidationError(_("An advance is settled after it is paid."))
        current.settled_on = on

    return _expense_step(expense, actor=actor, expected_version=expected_version,
                         action="governance.expense.settle", step=step)
