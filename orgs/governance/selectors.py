"""Reads of the governance records: each union's status against every rule, and the dashboard
of a subtree.  Both run the same constant number of queries whatever the number of unions:
one per kind of record, grouped by org, then the pure rules in orgs/governance/rules.py.
Those queries are compiled once per process and day (``compiled_sql.fetch_values``): building
and compiling their dozens of per-period counts through the ORM was half of a union's page and
of a dashboard, against a fraction of a millisecond to run them."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, prefetch_related_objects

from orgs.access import Action, scope_orgs
from orgs.governance import rules
from orgs.governance.models import (
    AttendeeKind,
    CommitteeMember,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressSession,
    Consultation,
    Delegate,
    Expense,
    ExpenseKind,
    Meeting,
    MeetingKind,
    SpecialCommittee,
)
from orgs.governance.rules import Check, Period, Status
from orgs.models import Org
from unionportal import compiled_sql


@dataclass
class UnionRow:
    org: Org
    checks: dict[str, Check]  # rule code -> check

    def ordered(self) -> list[Check]:
        return [self.checks[rule.code] for rule in rules.RULES]

    def worst(self) -> Status:
        statuses = {check.status for check in self.checks.values()}
        for status in (Status.OVERDUE, Status.DUE_SOON, Status.KEPT):
            if status in statuses:
                return status
        return Status.NOT_APPLICABLE


def _in(bounds: tuple[dt.date, dt.date], field: str = "date") -> Q:
    return Q(**{f"{field}__range": bounds})


def _period_counts(prefix: str, periods, field: str = "date") -> dict:
    """One COUNT per period (``prefix`` + its index), for ``_held``."""
    return {f"{prefix}{index}": Count("id", filter=_in(bounds, field))
            for index, bounds in enumerate(periods)}


def _held(row: dict, prefix: str, periods) -> set[dt.date]:
    """The first days of the periods with a record in ``row`` (annotated by ``_period_counts``)."""
    return {bounds[0] for index, bounds in enumerate(periods) if row.get(f"{prefix}{index}")}


@dataclass(frozen=True)
class _Orgs:
    """The orgs the record queries read (one union, or a subtree): ``orgs(field)`` is the Q
    narrowing a query to them through ``field`` (placeholders), ``values`` what is bound to the
    placeholders at each call, so no query depends on their number."""

    name: str
    condition: Callable[[str], Q]
    values: dict

    def __call__(self, field: str) -> Q:
        return self.condition(field)

    def read(self, what: str, today: dt.date, build) -> list[dict]:
        """The rows of ``build()`` (a values() queryset of ``today``), compiled once per day."""
        return compiled_sql.fetch_values((f"governance.{what}", self.name), build, day=today, **self.values)


def one_org(org: Org) -> _Orgs:
    return _Orgs("org", lambda field: Q(**{field: compiled_sql.ORG}), {"org": org.pk})


def subtree_of(root: Org) -> _Orgs:
    return _Orgs("subtree", lambda field: Q(**{f"{field}__tree_id": compiled_sql.TREE,
                                               f"{field}__lft__gte": compiled_sql.LFT,
                                               f"{field}__rght__lte": compiled_sql.RGHT}),
                 {"tree": root.tree_id, "lft": root.lft, "rght": root.rght})


def _checks_for(org_ids: _Orgs, org_list: list[Org], today: dt.date) -> dict[int, dict[str, Check]]:
    """Every rule's check for each org of ``org_list``, read from the records of ``org_ids``
    (one union, or a subtree).

    Periodic rules count the records of the current period and of each completed period of the
    look-back (rules.lookback_periods), so a period missed since a union's records began stays
    flagged after it catches up."""
    quarters = [rules.period_bounds(today, Period.QUARTER), *rules.lookback_periods(today, Period.QUARTER)]
    years = [rules.period_bounds(today, Period.YEAR), *rules.lookback_periods(today, Period.YEAR)]

    facts = SimpleNamespace(**_body_facts(org_ids, today, quarters, years),
                            **_record_facts(org_ids, today, years))
    return {org.pk: _org_checks(org, facts, today, quarters, years) for org in org_list}


def _body_facts(org_ids, today: dt.date, quarters, years) -> dict:
    """The meetings, congress sessions, delegates and special committees of the orgs."""
    meetings = defaultdict(dict)
    meetings_since: dict[int, dt.date] = {}  # the union's first meeting of either kind
    # A meeting or session below its quorum is recorded but does not count as held.
    # A voided record (entered by mistake) counts for nothing.
    for row in org_ids.read("meetings", today, lambda: (
            Meeting.objects.filter(org_ids("org"), date__lte=today, quorate=True, voided_at__isnull=True)
            .values("org_id", "kind")
            .annotate(last=Max("date"), first=Min("date"),
                      **_period_counts("q", quarters), **_period_counts("y", years)))):
        meetings[row["org_id"]][row["kind"]] = row
        first = meetings_since.get(row["org_id"])
        meetings_since[row["org_id"]] = row["first"] if first is None else min(first, row["first"])

    sessions = {row["congress__org_id"]: row for row in org_ids.read("sessions", today, lambda: (
        CongressSession.objects.filter(org_ids("congress__org"), date__lte=today, quorate=True,
                                       voided_at__isnull=True)
        .values("congress__org_id")
        .annotate(last=Max("date"), first=Min("date"), **_period_counts("y", years))))}

    congress_orgs = {row["org_id"] for row in org_ids.read(
        "congresses", today, lambda: Congress.objects.filter(org_ids("org")).values("org_id"))}

    serving_q = Q(start__lte=today, end__gte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    delegates = {row["congress__org_id"]: row for row in org_ids.read("delegates", today, lambda: (
        Delegate.objects.filter(org_ids("congress__org")).values("congress__org_id")
        .annotate(serving=Count("id", filter=serving_q),
                  lapsed=Count("id", filter=Q(end__lt=today, ended_on__isnull=True)),
                  next_end=Min("end", filter=serving_q))))}

    not_serving = committee_members_not_serving(org_ids, today)
    committees: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # org -> [formed, complete]
    for row in org_ids.read("committees", today, lambda: (
            SpecialCommittee.objects.filter(org_ids("congress__org")).values("congress__org_id", "id")
            .annotate(size=Count("members"),
                      chairs=Count("members", filter=Q(members__role=CommitteeRole.CHAIR)),
                      vices=Count("members", filter=Q(members__role=CommitteeRole.VICE_CHAIR))))):
        counts = committees[row["congress__org_id"]]
        counts[0] += 1
        counts[1] += not rules.committee_problems(size=row["size"], chairs=row["chairs"],
                                                  vice_chairs=row["vices"],
                                                  not_serving=not_serving.get(row["id"], 0))

    return {"meetings": meetings, "meetings_since": meetings_since, "sessions": sessions, "congress_orgs": congress_orgs, "delegates": delegates, "committees": committees}


def _record_facts(org_ids, today: dt.date, years) -> dict:
    """The consultations and contracts, committee terms and unsettled advances of the orgs."""
    consultations = {row["org_id"]: row for row in org_ids.read("consultations", today, lambda: (
        Consultation.objects.filter(org_ids("org"), date__lte=today, voided_at__isnull=True).values("org_id")
        .annotate(last=Max("date"), first=Min("date"),
                  **{f"y{index}": Count("id", filter=Q(year=bounds[0].year))
                     for index, bounds in enumerate(years)})))}

    contracts = {row["org_id"]: row["until"] for row in org_ids.read("contracts", today, lambda: (
        Consultation.objects.filter(org_ids("org"), approved_by__isnull=False, voided_at__isnull=True,
                                    contract_signed_on__lte=today, contract_valid_until__gte=today)
        .values("org_id").annotate(until=Max("contract_valid_until"))))}

    terms = {row["org_id"]: row["end"] for row in org_ids.read("terms", today, lambda: (
        CommitteeTerm.objects.filter(org_ids("org"), start__lte=today, voided_at__isnull=True)
        .values("org_id").annotate(end=Max("end"))))}

    advances = {row["org_id"]: row for row in org_ids.read("advances", today, lambda: (
        Expense.objects.filter(org_ids("org"), kind=ExpenseKind.ADVANCE, paid_on__isnull=False,
                               settled_on__isnull=True, voided_at__isnull=True)
        .values("org_id").annotate(oldest=Min("paid_on"), n=Count("id"))))}

    return {"consultations": consultations, "contracts": contracts, "terms": terms, "advances": advances}


def _org_checks(org: Org, facts, today: dt.date, quarters, years) -> dict[str, Check]:
    by_kind = facts.meetings.get(org.pk, {})
    full, standing = by_kind.get(MeetingKind.FULL_COMMITTEE, {}), by_kind.get(MeetingKind.STANDING_COMMITTEE, {})
    session = facts.sessions.get(org.pk, {})
    delegate = facts.delegates.get(org.pk, {})
    consultation = facts.consultations.get(org.pk, {})
    advance = facts.advances.get(org.pk, {})
    formed, complete = facts.committees.get(org.pk, (0, 0))
    checks = {
        "full": rules.periodic_check("full", today=today, period=Period.YEAR,
                                     held=_held(full, "y", years), last=full.get("last"),
                                     since=facts.meetings_since.get(org.pk)),
        "standing": rules.periodic_check("standing", today=today, period=Period.QUARTER,
                                         held=_held(standing, "q", quarters),
                                         last=standing.get("last"),
                                         since=facts.meetings_since.get(org.pk)),
        "congress": rules.periodic_check("congress", today=today, period=Period.YEAR,
                                         held=_held(session, "y", years), last=session.get("last"),
                                         since=session.get("first")),
        "delegates": rules.delegate_terms_check(serving=delegate.get("serving", 0),
                                                lapsed=delegate.get("lapsed", 0),
                                                next_end=delegate.get("next_end"), today=today),
        "committees": rules.special_committees_check(complete=complete, formed=formed,
                                                     has_congress=org.pk in facts.congress_orgs),
        "consultation": rules.periodic_check("consultation", today=today, period=Period.YEAR,
                                             held=_held(consultation, "y", years),
                                             last=consultation.get("last"),
                                             since=consultation.get("first")),
        "contract": rules.contract_check(current_until=facts.contracts.get(org.pk), today=today),
        "term": rules.term_check(end=facts.terms.get(org.pk), today=today),
        "advances": rules.advances_check(oldest_unsettled=advance.get("oldest"),
                                         unsettled=advance.get("n", 0), today=today),
    }
    for rule in rules.RULES:
        if not rules.applies(rule, org.kind, is_enterprise=org.is_enterprise):
            checks[rule.code] = Check(rule.code, Status.NOT_APPLICABLE)
    return checks


def committee_members_not_serving(org_ids: _Orgs, today: dt.date) -> dict[int, int]:
    """Per special committee: its members held to the delegate rule (第二十条: members are
    delegates) who are not serving as a delegate of its congress today.  Members the congress
    took on as non-delegates (``non_delegate``) are not held to it."""
    def build():
        serving = Delegate.objects.filter(
            congress=OuterRef("committee__congress"), name=OuterRef("name"), start__lte=today,
            end__gte=today).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        return (CommitteeMember.objects.filter(org_ids("committee__congress__org"), non_delegate=False)
                .filter(~Exists(serving)).order_by().values("committee_id").annotate(n=Count("id")))

    return {row["committee_id"]: row["n"] for row in org_ids.read("not-serving", today, build)}


def committee_flags(org: Org, today: dt.date) -> dict[int, int]:
    """``committee_members_not_serving`` for one union's committees (its governance page)."""
    return committee_members_not_serving(one_org(org), today)


def union_status(org: Org, today: dt.date) -> UnionRow:
    """One union against every rule (the same queries as a dashboard of one)."""
    checks = _checks_for(one_org(org), [org], today)[org.pk]
    return UnionRow(org=org, checks=checks)


# The dashboard --------------------------------------------------------------------------------

@dataclass
class Dashboard:
    rows: list[UnionRow]  # after the filters
    counts: list[tuple[rules.Rule, list[tuple[Status, int]]]]  # per rule, over the subtree (kind filter only)
    total: int


def subtree_rows(root: Org, user, today: dt.date, *, kind: str = "", term: str = "") -> list[UnionRow]:
    orgs = scope_orgs(root.get_descendants(include_self=True), user, Action.VIEW).order_by("lft")
    if kind:
        orgs = orgs.filter(kind=kind)
    if term:
        orgs = orgs.filter(Q(name__icontains=term) | Q(code__icontains=term))
    org_list = list(orgs.only("id", "code", "name", "kind", "is_enterprise", "parent_id", "is_active",
                              "lft", "rght", "tree_id", "level"))
    checks = _checks_for(subtree_of(root), org_list, today)
    return [UnionRow(org=org, checks=checks[org.pk]) for org in org_list]


def dashboard(root: Org, user, today: dt.date, *, kind: str = "", term: str = "", rule: str = "",
              status: str = "") -> Dashboard:
    all_rows = subtree_rows(root, user, today, kind=kind, term=term)
    counts = []
    for item in rules.RULES:
        tally = dict.fromkeys((Status.KEPT, Status.DUE_SOON, Status.OVERDUE), 0)
        for row in all_rows:
            found = row.checks[item.code].status
            if found in tally:
                tally[found] += 1
        counts.append((item, list(tally.items())))
    rows = all_rows
    if rule in rules.RULES_BY_CODE and status:
        rows = [row for row in rows if row.checks[rule].status == status]
    elif rule in rules.RULES_BY_CODE:
        rows = [row for row in rows if row.checks[rule].status != Status.NOT_APPLICABLE]
    elif status:
        rows = [row for row in rows if any(c.status == status for c in row.checks.values())]
    return Dashboard(rows=rows, counts=counts, total=len(all_rows))


def overdue_lines(rows: list[UnionRow], *, rule: str = "", statuses=(Status.OVERDUE,)):
    """(org, rule, check) for each check in ``statuses``: the overdue list to export."""
    for row in rows:
        for item in rules.RULES:
            if rule and item.code != rule:
                continue
            check = row.checks[item.code]
            if check.status in statuses:
                yield row.org, item, check


def contractless_enterprises(rows: list[UnionRow]) -> list[Org]:
    """Enterprise (base) unions without a current collective contract."""
    return [row.org for row in rows
            if row.checks["contract"].status == Status.OVERDUE]


# One union's records -------------------------------------------------------------------------

def union_records(org: Org) -> dict:
    """What the governance page lists for one union (a fixed number of queries, each compiled
    once per process: ``compiled_sql.fetch_instances``; the prefetches as the ORM makes them)."""
    def read(what, build):
        return compiled_sql.fetch_instances((f"governance.records.{what}",), build, org=org.pk)

    one = Q(org=compiled_sql.ORG)
    congresses = read("congresses", lambda: Congress.objects.filter(one).select_related("org"))
    prefetch_related_objects(congresses, "delegates", "committees__members")
    sessions = read("sessions", lambda: (
        CongressSession.objects.filter(congress__org=compiled_sql.ORG).select_related("congress", "voided_by")
        .annotate(present=Count("attendees", filter=Q(attendees__kind=AttendeeKind.DELEGATE)),
                  non_voting=Count("attendees", filter=~Q(attendees__kind=AttendeeKind.DELEGATE)))
        .order_by("-date", "-id")[:20]))  # Meta.ordering is dropped in GROUP BY queries
    prefetch_related_objects(sessions, "motions")
    return {
        "meetings": read("meetings", lambda: Meeting.objects.filter(one).select_related("voided_by")[:40]),
        "congresses": congresses,
        "sessions": sessions,
        "consultations": read("consultations", lambda: (
            Consultation.objects.filter(one).select_related("approved_by__session", "voided_by")[:10])),
        "terms": read("terms", lambda: CommitteeTerm.objects.filter(one).select_related("voided_by")[:10]),
        "expenses": read("expenses", lambda: Expense.objects.filter(one).select_related("voided_by")[:50]),
        "officers": founding_officers(org),
    }


def founding_officers(org: Org) -> list:
    """The officers elected when the union was founded through a 建会 case (services/), in the
    order of their offices: chair, vice-chairs, fund review, women workers."""
    related = getattr(org, "founding_officers", None)  # services.Officer, when installed
    if related is None:
        return []
    order = [value for value, _label in related.model._meta.get_field("role").choices]
    officers = list(related.select_related("case"))
    return sorted(officers, key=lambda officer: (order.index(officer.role), officer.pk))


def missed_meetings(status: UnionRow) -> dict[str, tuple[str, ...]]:
    """The periods without a meeting, per kind, as the union's status counts them (so the page's
    list and the status agree)."""
    return {MeetingKind.FULL_COMMITTEE: status.checks["full"].missed,
            MeetingKind.STANDING_COMMITTEE: status.checks["standing"].missed}
