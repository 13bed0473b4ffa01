"""Reads of the assessment that need scoping or aggregation; every one goes through the gate.

The board and the ranking read a round of thousands of sheets in a fixed number of queries
(one aggregate per table, values only) and do the arithmetic in Python.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import (
    AssesseeRule,
    Evidence,
    Indicator,
    Item,
    MemberEvaluation,
    Round,
    Sheet,
    SheetEvent,
    SheetStatus,
    Template,
    Unit,
)
from assessment.scoring import num, round2
from orgs.access import Action, can, fetch_scoped, scope_orgs, scope_queryset
from orgs.models import Org
from unionportal import compiled_sql


def _is_superuser(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active and user.is_superuser

OVERDUE_LIMIT = 100


def visible_sheets(user, action=Action.VIEW):
    return scope_queryset(Sheet.objects.all(), user, action, "org")


def sheet_for(user, year: int, code: str, assessor_code: str | None = None) -> tuple[Sheet, list[Sheet]]:
    """The sheet of org ``code`` for ``year`` the user may see, and the others of that year; 404."""
    def build(gate_user):
        return (visible_sheets(gate_user).filter(year=compiled_sql.YEAR, org__code=compiled_sql.CODE)
                .select_related("org", "assessor", "round", "template", "group")
                .order_by("-assessor__level", "assessor__code"))

    # Compiled once per process: building this six-table query through the ORM cost 1.7 ms of
    # the 5.5 ms of CPU of a cached sheet PDF's download, and every sheet page and write asks it.
    sheets = fetch_scoped(("assessment.sheet_for",), build, user, by_key=True, year=year, code=code)
    if not sheets:
        raise Http404
    if assessor_code:
        chosen = next((s for s in sheets if s.assessor.code == assessor_code), None)
        if chosen is None:
            raise Http404
    else:
        chosen = sheets[0]  # the nearest assessor
    return chosen, [s for s in sheets if s is not chosen]


def sheet_units(sheet: Sheet) -> list[Unit]:
    """The units of a sheet the caller has already read through the gate, in order, with their
    indicator and item; each unit's evidence files in upload order as ``unit.files``.

    Two reads by the sheet's key, compiled once per process: through the ORM, building the
    units' three-table query and prefetching their evidence cost a quarter of a sheet page's
    CPU (issue 13), on every page a staff member saves."""
    units = compiled_sql.fetch_instances(
        ("assessment.sheet_units",),
        lambda: Unit.objects.filter(sheet_id=compiled_sql.PK).select_related("indicator", "item").order_by("position"),
        prepared=True, pk=sheet.pk)
    files = defaultdict(list)
    for file in compiled_sql.fetch_instances(
            ("assessment.sheet_evidence",),
            lambda: Evidence.objects.filter(unit__sheet_id=compiled_sql.PK).order_by("uploaded_at", "pk"),
            prepared=True, pk=sheet.pk):
        files[file.unit_id].append(file)
    for unit in units:
        unit.sheet = sheet
        unit.files = files.get(unit.pk, [])
    return units


def sheet_history(sheet: Sheet) -> list[SheetEvent]:
    """A sheet's events, newest first, with the acting users (compiled once per process)."""
    return compiled_sql.fetch_instances(
        ("assessment.sheet_history",),
        lambda: SheetEvent.objects.filter(sheet_id=compiled_sql.PK).select_related("actor").order_by("-at", "-id"),
        prepared=True, pk=sheet.pk)


def my_sheets(user):
    """Sheets the user fills in (staff of the assessee), newest first."""
    return (visible_sheets(user, Action.FILL).select_related("org", "assessor", "round")
            .annotate(reminders=Count("events", filter=Q(events__kind=SheetEvent.Kind.REMINDED)))
            .order_by("-year", "org__lft"))


def review_queue(user):
    return (visible_sheets(user, Action.REVIEW).filter(status=SheetStatus.SUBMITTED)
            .select_related("org", "assessor", "round").order_by("submitted_at"))


def scoring_queue(user):
    waiting = Sheet.objects.filter(status__in=(SheetStatus.REVIEWED, SheetStatus.SCORED))
    return (scope_queryset(waiting, user, Action.SCORE, "assessor")
            .select_related("org", "assessor", "round").order_by("-year", "org__tree_id", "org__lft"))


def visible_rounds(user):
    """Rounds the user sees: the assessor is visible and the user sees at least one of its
    sheets, or may act on it (score or manage the assessor).  Staff granted on the assessor see
    the assessor's own pages, not the round: its sheets are other orgs' results."""
    rounds = Round.objects.filter(Exists(_assessor_in_scope(user, Action.VIEW)))
    if not _is_superuser(user):
        rounds = rounds.filter(Exists(visible_sheets(user).filter(round=OuterRef("pk")))
                               | Exists(_assessor_in_scope(user, Action.SCORE))
                               | Exists(_assessor_in_scope(user, Action.MANAGE)))
    return rounds.select_related("assessor").order_by("-year", "assessor__lft")


def _assessor_in_scope(user, action):
    """The round's assessor, if ``user`` reaches it with ``action``: correlated to the round, so
    the planner checks a handful of rounds rather than every org (``assessor__in=scope`` was
    costed as a scan of all orgs, which pushed the whole query over PostgreSQL's JIT threshold:
    ~110 ms of compiling for a query that runs in under a millisecond)."""
    return scope_orgs(Org.objects.filter(pk=OuterRef("assessor_id")), user, action)


def round_sheets(user, round_: Round):
    """The sheets of a round the user may see: every read of a round's sheets goes through here."""
    return visible_sheets(user).filter(round=round_)


def _named_assessees(user) -> Prefetch:
    """A template's named assessees, as far as the user may see them (one query for a page)."""
    return Prefetch("assessees", queryset=scope_orgs(Org.objects.order_by("tree_id", "lft"), user, Action.VIEW))


def visible_templates(user):
    return (scope_queryset(Template.objects.all(), user, Action.VIEW, "assessor").select_related("assessor")
            .prefetch_related(_named_assessees(user)))


def templates_of(user, assessor: Org):
    return Template.objects.filter(assessor=assessor).prefetch_related(_named_assessees(user))


def template_assessees(user, template: Template):
    """The template's assessees the user may see."""
    return scope_orgs(assessees_of(template), user, Action.VIEW)


def assessees_of(template: Template):
    """Every org the template assesses (unscoped: what opening its round creates sheets for)."""
    assessor = template.assessor
    if template.assessee_rule == AssesseeRule.NAMED:
        return template.assessees.all()
    if template.assessee_rule == AssesseeRule.KIND:
        return assessor.get_descendants().filter(kind=template.assessee_kind)
    return assessor.get_children()


def latest_templates_before(assessor: Org, year: int) -> list[Template]:
    """Per assessee set, the assessor's most recent template of an earlier year."""
    latest: dict[str, Template] = {}
    for template in Template.objects.filter(assessor=assessor, year__lt=year).order_by("-year"):
        latest.setdefault(template.assessee_key, template)
    return list(latest.values())


def graded_units(indicators) -> list[tuple[Indicator, Item | None, str, Decimal]]:
    """(indicator, item, 序号, points) of every graded unit: items with points, else the indicator."""
    units = []
    for indicator in indicators:
        items = [item for item in indicator.items.all() if item.points is not None]
        if items:
            units += [(indicator, item, f"{indicator.number}.{item.number}", item.points) for item in items]
        else:
            units.append((indicator, None, indicator.number, indicator.weight))
    return units


def points_warning_text(number: str, name: str, points: Decimal, weight: Decimal) -> str:
    return _("indicator %(number)s %(name)s: its items' points add up to %(points)s but its weight "
             "is %(weight)s; the weight governs and scores are scaled to it.") % {
        "number": number, "name": name, "points": num(points), "weight": num(weight)}


def template_warnings(template: Template) -> list[str]:
    """Every indicator whose items' points disagree with its weight, in words."""
    warnings = []
    for indicator in template.indicators.all():
        points = [item.points for item in indicator.items.all() if item.points is not None]
        if points and sum(points, Decimal(0)) != indicator.weight:
            warnings.append(points_warning_text(indicator.number, indicator.name, sum(points, Decimal(0)),
                                                indicator.weight))
    return warnings


def may_open_round(user, org: Org) -> bool:
    """Scorers and admins of ``org`` open its rounds and remind the late."""
    return can(user, Action.SCORE, org) or can(user, Action.MANAGE, org)


def may_approve_lower_ratio(user, org: Org) -> bool:
    """Whether ``user`` acts for the superior union of ``org``: manages its parent, or reviews
    the unions below the parent (a reviewer granted on the parent or higher).  Never the union
    itself, whatever its role there."""
    if user is None or org.parent_id is None:
        return False
    parent = Org.objects.get(pk=org.parent_id)
    return can(user, Action.MANAGE, parent) or can(user, Action.REVIEW, org)


def union_page_reads(user, org: Org) -> tuple[list[Sheet], list[MemberEvaluation], list[Round]]:
    """A union's page: its sheets, its 会员评家 (ratings and rectifications prefetched) and the
    rounds it assesses that ``user`` sees (``visible_rounds``), latest first; each query compiled
    once per process (``compiled_sql``): building them through the ORM cost more than running them."""
    sheets = compiled_sql.fetch_instances(("assessment.union_sheets",), lambda: (
        Sheet.objects.filter(org_id=compiled_sql.ORG).select_related("assessor", "round")
        .order_by("-year", "assessor__lft")), org=org.pk)
    for sheet in sheets:
        sheet.org = org  # as ``org.assessment_sheets`` gives it them: no query per sheet for its org
    evaluations = compiled_sql.fetch_instances(("assessment.union_evaluations",), lambda: (
        MemberEvaluation.objects.filter(org_id=compiled_sql.ORG).order_by("-year")), org=org.pk)
    prefetch_related_objects(evaluations, "ratings", "rectifications")
    rounds = fetch_scoped(("assessment.union_rounds",), lambda gate_user: (
        visible_rounds(gate_user).filter(assessor_id=compiled_sql.ORG).order_by("-year")), user, org=org.pk)
    return sheets, evaluations, rounds


def round_for(user, code: str, year: int) -> Round:
    """A round the user sees (see ``visible_rounds``); 404 otherwise."""
    def build(gate_user):
        return visible_rounds(gate_user).filter(assessor__code=compiled_sql.CODE, year=compiled_sql.YEAR)[:1]

    # Compiled once per process: building the gate's three correlated EXISTS through the ORM
    # cost more CPU than the rest of a cached ranking page (every round page asks it).
    found = fetch_scoped(("assessment.round_for",), build, user, code=code, year=year)
    if not found:
        raise Http404
    return found[0]


# --- the progress board -------------------------------------------------------------------


@dataclass
class GroupProgress:
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def share(self, status) -> int:
        return round(100 * self.counts.get(status, 0) / self.total) if self.total else 0

    @property
    def done(self) -> int:
        """Sheets submitted or further along."""
        return self.total - self.counts.get(SheetStatus.DRAFT, 0) - self.counts.get(SheetStatus.RETURNED, 0)

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def bars(self) -> list[tuple[str, str, int, int]]:
        return [(status.value, status.label, self.counts.get(status, 0), self.share(status))
                for status in SheetStatus]


@dataclass
class Board:
    round: Round
    totals: GroupProgress
    groups: list[GroupProgress]
    overdue: list[Sheet]
    overdue_count: int
    past_deadline: bool

    @property
    def groups_key(self) -> str:
        """A digest of every figure the per-union table shows: the key of its cached fragment,
        so a cached table is exactly what these figures render (no staleness, no other scope)."""
        figures = [(g.code, g.name, sorted((str(k), v) for k, v in g.counts.items()), g.total) for g in self.groups]
        return hashlib.sha256(repr(figures).encode()).hexdigest()


def board(round_: Round, sheets) -> Board:
    """The progress of ``sheets`` (the round's sheets the user sees: ``round_sheets``)."""
    rows = (sheets.order_by().values("group_id", "status")
            .annotate(n=Count("id")))
    by_group: dict[int | None, dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_group[row["group_id"]][row["status"]] = row["n"]
    names = {pk: (code, name, (tree_id, lft)) for pk, code, name, tree_id, lft in
             Org.objects.filter(pk__in=[pk for pk in by_group if pk])
             .values_list("pk", "code", "name", "tree_id", "lft")}
    groups, totals = [], GroupProgress("", "")
    for pk in sorted(by_group, key=lambda pk: names.get(pk, ("", "", (0, 0)))[2]):
        code, name, _order = names.get(pk, ("", "—", None))
        group = GroupProgress(code, name, by_group[pk], sum(by_group[pk].values()))
        groups.append(group)
        for status, n in group.counts.items():
            totals.counts[status] = totals.counts.get(status, 0) + n
        totals.total += group.total
    past = bool(round_.deadline and timezone.localdate() > round_.deadline)
    overdue, overdue_count = [], 0
    if past:
        late = sheets.filter(status__in=(SheetStatus.DRAFT, SheetStatus.RETURNED))
        overdue_count = late.count()
        last_reminder = (SheetEvent.objects.filter(sheet=OuterRef("pk"), kind=SheetEvent.Kind.REMINDED)
                         .order_by("-at").values("at")[:1])
        overdue = list(late.select_related("org", "group", "assessor").annotate(last_reminded=Subquery(last_reminder))
                       .order_by("org__tree_id", "org__lft")[:OVERDUE_LIMIT])
    return Board(round_, totals, groups, overdue, overdue_count, past)


# --- the ranking --------------------------------------------------------------------------


@dataclass
class RankRow:
    sheet_id: int
    code: str
    name: str
    group_code: str
    group_name: str
    status: str
    status_label: str
    self_total: Decimal | None
    total: Decimal
    previous: Decimal | None = None
    rank: int = 0
    group_rank: int = 0

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.total - self.previous


@dataclass
class GroupSummary:
    code: str
    name: str
    count: int
    average: Decimal
    best: Decimal
    worst: Decimal


@dataclass
class Ranking:
    round: Round
    rows: list[RankRow]
    groups: list[GroupSummary]
    unranked: int
    histogram: list[tuple[str, int]]
    indicator_averages: list[tuple[str, Decimal, Decimal]]  # (name, average, weight)
    previous_year: int | None
    ranked: int = 0  # len(rows), kept when a cached summary leaves its rows out


def _competition_ranks(values: list[Decimal]) -> list[int]:
    ranks, previous, rank = [], None, 0
    for index, value in enumerate(values, start=1):
        if value != previous:
            rank, previous = index, value
        ranks.append(rank)
    return ranks


HISTOGRAM_BINS = ((0, 60), (60, 70), (70, 80), (80, 90), (90, 101))


def _previous_totals(round_: Round, sheets) -> tuple[int | None, dict]:
    """The year of the assessor's previous round and its final totals per org (through ``sheets``)."""
    previous_round = (Round.objects.filter(assessor_id=round_.assessor_id, year__lt=round_.year)
                      .order_by("-year").values_list("pk", "year").first())
    if not previous_round:
        return None, {}
    totals = dict(Sheet.objects.filter(round_id=previous_round[0], status=SheetStatus.FINAL,
                                       org__in=sheets.values("org"))
                  .values_list("org_id", "final_total"))
    return previous_round[1], totals


def _group_summaries(rows: list[RankRow]) -> list[GroupSummary]:
    """Rank each system union's rows among themselves; one summary per union, best average first."""
    by_group: dict[str, list[RankRow]] = defaultdict(list)
    for row in rows:
        by_group[row.group_code].append(row)
    summaries = []
    for group_code, members in by_group.items():
        for row, rank in zip(members, _competition_ranks([r.total for r in members])):
            row.group_rank = rank
        totals = [r.total for r in members]
        summaries.append(GroupSummary(group_code, members[0].group_name, len(members),
                                      round2(sum(totals, Decimal(0)) / len(totals)), max(totals), min(totals)))
    summaries.sort(key=lambda s: -s.average)
    return summaries


def _histogram(rows: list[RankRow]) -> list[tuple[str, int]]:
    histogram = []
    for low, high in HISTOGRAM_BINS:
        label = f"{low}–{min(high, 100)}" if high <= 100 else f"{low}–100"
        histogram.append((label, sum(1 for r in rows if low <= r.total < high)))
    return histogram


def _indicator_averages(score_lists) -> list[tuple[str, Decimal, Decimal]]:
    """(indicator name, average final score, weight) over the sheets' stored indicator scores."""
    sums: dict[str, list] = {}
    for scores in score_lists:
        for entry in scores or ():
            if entry.get("final") is None:
                continue
            bucket = sums.setdefault(entry["name"], [Decimal(0), 0, Decimal(entry["weight"])])
            bucket[0] += Decimal(entry["final"])
            bucket[1] += 1
    return [(name, round2(total / n), weight) for name, (total, n, weight) in sums.items()]


def ranking(round_: Round, sheets) -> Ranking:
    """Every sheet of ``sheets`` (``round_sheets``) with a final total, ranked overall and within
    its system union; last year's totals are read through the same gate."""
    status_labels = dict(SheetStatus.choices)
    values = list(
        sheets.filter(final_total__isnull=False)
        .order_by("-final_total", "org__code")
        .values_list("pk", "org_id", "org__code", "org__name", "group_id", "status", "self_total",
                     "final_total", "indicator_scores")
    )
    unranked = sheets.filter(final_total__isnull=True).count()
    group_ids = {row[4] for row in values if row[4]}
    groups = {pk: (code, name, lft) for pk, code, name, lft in
              Org.objects.filter(pk__in=group_ids).values_list("pk", "code", "name", "lft")}
    previous_year, previous = _previous_totals(round_, sheets)
    rows = []
    for pk, org_id, code, name, group_id, status, self_total, total, _scores in values:
        group_code, group_name, _lft = groups.get(group_id, ("", "—", 0))
        rows.append(RankRow(pk, code, name, group_code, group_name, status, status_labels[status],
                            self_total, total, previous.get(org_id)))
    for row, rank in zip(rows, _competition_ranks([r.total for r in rows])):
        row.rank = rank
    summaries = _group_summaries(rows)
    return Ranking(round_, rows, summaries, unranked, _histogram(rows),
                   _indicator_averages(row[-1] for row in values), previous_year, len(rows))


def openable_orgs(user):
    """Orgs where the user may open a round: scorers and admins, on orgs that own templates."""
    scored = scope_orgs(Org.objects.all(), user, Action.SCORE)
    managed = scope_orgs(Org.objects.all(), user, Action.MANAGE)
    owners = Template.objects.values("assessor_id")
    return Org.objects.filter(Q(pk__in=scored) | Q(pk__in=managed), pk__in=owners).order_by("tree_id", "lft")
