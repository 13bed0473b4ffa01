"""Governance rules about to be broken (a daily job, connected in GovernanceConfig.ready).

Every day, each active union's congress session, delegates' terms and committee term are
checked by the dashboard's own rules (``selectors.subtree_rows``, read only); a rule due soon
or overdue reaches the union's staff and the admins nearest over it (the gate's RECORD
holders), once per state: the same rule in the same state with the same date is not repeated
the next day, a new state (due soon → overdue) is told again.
"""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.access import Action
from orgs.governance import rules, selectors
from orgs.governance.rules import Status
from orgs.models import Org
from orgs.recipients import granted_on, nearest_by_org
from unionportal.actors import SYSTEM
from unionportal.notifications import kinds
from unionportal.notifications.delivery import notify
from unionportal.notifications.kinds import Channel
from unionportal.notifications.scheduled import register_daily

RULE_AT_RISK = "governance.rule"
WATCHED_RULES = ("congress", "delegates", "term")  # a congress overdue, a term lapsing
WATCHED_STATUSES = (Status.DUE_SOON, Status.OVERDUE)


def _prepare(params: dict) -> dict:
    rule = rules.RULES_BY_CODE.get(params.get("rule", ""))
    status = params.get("status", "")
    return {**params,
            "rule": str(rule.label) if rule else params.get("rule", ""),
            "requirement": str(rule.requirement) if rule else "",
            "status": Status(status).label if status in Status._value2member_map_ else status,
            "due": params.get("due") or "—"}


def register_kinds() -> None:
    kinds.register(RULE_AT_RISK, _("Governance rules about to be broken"),
                   _("%(org)s: %(rule)s %(status)s"),
                   _("Rule: %(rule)s, %(requirement)s. Date that matters: %(due)s."),
                   order=30, prepare=_prepare, default=Channel.DIGEST)  # not urgent: once a day


def _recipients(orgs: list[Org]) -> dict[int, set[int]]:
    """{org id: the union's staff and the admins nearest over it} in two queries."""
    staff = granted_on(orgs, Action.FILL)
    admins = nearest_by_org(orgs, Action.MANAGE, include_self=True)
    return {org.pk: staff[org.pk] | admins.get(org.pk, set()) for org in orgs}


def rules_at_risk(day: dt.date):
    """(org, check) for each watched rule due soon or overdue in any active union."""
    for root in Org.objects.filter(parent__isnull=True):
        for row in selectors.subtree_rows(root, SYSTEM, day):
            if not row.org.is_active:
                continue
            for code in WATCHED_RULES:
                check = row.checks[code]
                if check.status in WATCHED_STATUSES:
                    yield row.org, check


def remind_rules(day: dt.date) -> int:
    found = list(rules_at_risk(day))
    if not found:
        return 0
    recipients = _recipients(list({org.pk: org for org, _check in found}.values()))
    written = 0
    for org, check in found:
        due = check.due.isoformat() if check.due else ""
        written += notify(
            RULE_AT_RISK, recipients[org.pk],
            key=f"{RULE_AT_RISK}:{org.pk}:{check.rule}:{check.status}:{due}",
            params={"org": org.name, "rule": check.rule, "status": str(check.status), "due": due},
            link=reverse("orgs:governance", kwargs={"code": org.code}))
    return written


def connect() -> None:
    register_kinds()
    register_daily("governance-rules", remind_rules)
