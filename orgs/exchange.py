"""The org-tree exchange file (编码, 名称, 上级编码, 类型, …): import and export.

An import is all-or-nothing: every row is checked first and every problem reported as
``row N: COLUMN: message``; only a clean file is applied, inside one transaction, parents
before children (a parent may stand later in the file than its children).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs import services
from orgs.access import Action, can, scope_orgs
from orgs.models import (
    CODE_MAX_LENGTH,
    KIND_FILE_LABELS,
    KIND_FILE_NAMES,
    NAME_MAX_LENGTH,
    Org,
    code_validator,
)
from unionportal.actors import is_system, user_or_none
from unionportal.columns import ChoiceColumn, IntegerColumn, TextColumn, YesNoColumn
from unionportal.tabular import (
    Column,
    Report,
    Row,
    import_transaction,
    read_table,
    write_table,
)
from unionportal.tree import tree_write_lock

COLUMNS = [
    Column("code", "编码", "code", required=True),
    TextColumn("name", "名称", "name", required=True, max_length=NAME_MAX_LENGTH, show_length=True),
    Column("parent", "上级编码", "parent", required=True),
    ChoiceColumn("kind", "类型", "kind", required=True, choices=tuple(KIND_FILE_NAMES.items()),
                 unknown=gettext_lazy("unknown kind “%(kind)s”; use 总工会, 系统工会, 街道工会 or 基层工会."),
                 value_name="kind"),
    TextColumn("short_name", "简称", "short_name", max_length=Org._meta.get_field("short_name").max_length),
    IntegerColumn("members", "会员数", "members", low=0),
    IntegerColumn("workers", "职工数", "workers", low=0),
    # Optional: 是/否 (yes/no); left out or blank, a new org is an enterprise union and an
    # existing one keeps what it has.
    YesNoColumn("is_enterprise", "企业工会", "is_enterprise", message="neither"),
]
_COLUMN = {column.key: column for column in COLUMNS}


@dataclass
class PlannedOrg:
    row: Row
    code: str
    values: dict
    parent_code: str | None  # final parent, by code (in the file or in the database)
    existing: Org | None


def import_orgs(source, fmt: str, *, actor, dry_run: bool = False, progress=None,
                limits=None) -> Report:
    """Validate and (unless ``dry_run`` or any error) apply an org file.

    ``progress`` wraps the row loop (a progress bar on a terminal); identity by default.
    """
    if not is_system(actor) and user_or_none(actor) is None:
        raise PermissionDenied  # nobody: a command acts as the system, a page as its user
    report = Report()
    table = read_table(source, fmt, COLUMNS, report=report, limits=limits)
    plans = _check_rows(table.rows, report)
    existing = {org.code: org for org in Org.objects.filter(code__in=[p.code for p in plans])}
    for plan in plans:
        plan.existing = existing.get(plan.code)
    # Parents and names resolve only among the orgs the actor manages, so an org of
    # another tree reads as one that does not exist (commands act as the system: all orgs).
    candidates = scope_orgs(Org.objects.all(), actor, Action.MANAGE)
    _resolve_parents(plans, report, candidates)
    if report.ok:
        _check_final_tree(plans, report, actor, candidates)
    if not report.ok:
        return report
    # mptt's per-row shifting is quadratic (each insert rewrites the rest of the tree);
    # delayed updates rebuild each touched tree once at the end, inside the same lock.
    with import_transaction(report, dry_run=dry_run), tree_write_lock(Org), Org.objects.delay_mptt_updates():
        _apply(plans, report, actor, progress or (lambda rows: rows))
    return report


def _check_rows(rows: list[Row], report: Report) -> list[PlannedOrg]:
    plans: list[PlannedOrg] = []
    first_row_of_code: dict[str, int] = {}
    for row in rows:
        code = row["code"]
        if not code:
            report.error(row, "code", _("is required."))
        elif len(code) > CODE_MAX_LENGTH:
            report.error(row, "code", _("is longer than %(max)d characters.") % {"max": CODE_MAX_LENGTH})
        else:
            try:
                code_validator(code)
            except ValidationError as exc:
                report.error(row, "code", " ".join(exc.messages))
            if code in first_row_of_code:
                report.error(row, "code", _("duplicate code %(code)s (already in row %(row)d).")
                             % {"code": code, "row": first_row_of_code[code]})
            else:
                first_row_of_code[code] = row.number
        name = row["name"]
        if not name:
            report.error(row, "name", _("is required."))
        else:
            _COLUMN["name"].read(row, report)
        kind = _COLUMN["kind"].read(row, report)
        short_name = row["short_name"]
        _COLUMN["short_name"].read(row, report)
        values = {"name": name, "kind": kind}
        if "short_name" in row.headers:
            values["short_name"] = short_name
        for key in ("members", "workers"):
            if key in row.headers:
                values[key] = _COLUMN[key].read(row, report)
        if "is_enterprise" in row.headers and row["is_enterprise"].strip():
            enterprise = _COLUMN["is_enterprise"].read(row, report)
            if enterprise is not None:
                values["is_enterprise"] = enterprise
        plans.append(PlannedOrg(row=row, code=code, values=values, parent_code=row["parent"] or None,
                                existing=None))
    return plans


def _resolve_parents(plans: list[PlannedOrg], report: Report, candidates) -> None:
    """Turn each 上级编码 into a code: one in the file, or an org's code, name or alias."""
    in_file = {plan.code for plan in plans}
    references = {plan.parent_code for plan in plans if plan.parent_code and plan.parent_code not in in_file}
    by_code = set(candidates.filter(code__in=references).values_list("code", flat=True))
    for plan in plans:
        reference = plan.parent_code
        if reference is None or reference in in_file or reference in by_code:
            continue
        matches = list(candidates.resolve(reference).values_list("code", flat=True)[:2])
        if len(matches) == 1:
            plan.parent_code = matches[0]
        elif not matches:
            report.error(plan.row, "parent", _("no organisation has the code or name “%(ref)s”.")
                                      % {"ref": reference})
        else:
            report.error(plan.row, "parent", _("“%(ref)s” names more than one organisation; use its code.")
                         % {"ref": reference})


def _check_final_tree(plans: list[PlannedOrg], report: Report, actor, candidates) -> None:
    """Cycles, sibling names and the actor's scope, in the tree as it will be after the import."""
    by_code = {plan.code: plan for plan in plans}
    _check_cycles(plans, report, by_code)
    _check_sibling_names(plans, report, candidates, by_code)
    if not is_system(actor):
        _check_scope(plans, report, actor)


def _check_cycles(plans: list[PlannedOrg], report: Report, by_code: dict[str, PlannedOrg]) -> None:
    """An org in the file must not end up below itself (through the file or the database)."""
    outside_codes = {p.parent_code for p in plans if p.parent_code and p.parent_code not in by_code}
    outside = {org.code: org for org in Org.objects.filter(code__in=outside_codes)}
    for plan in plans:
        if _lands_inside_itself(plan, by_code, outside):
            report.error(plan.row, "parent", _("would place %(code)s inside its own subtree.")
                         % {"code": plan.code})


def _lands_inside_itself(plan: PlannedOrg, by_code: dict[str, PlannedOrg], outside: dict[str, Org]) -> bool:
    seen = {plan.code}
    code = plan.parent_code
    while code in by_code:
        if code in seen:
            return True
        seen.add(code)
        code = by_code[code].parent_code
    # Parents in the database: the chain leaves the file at ``code``.
    if code in outside and plan.existing is not None:
        anchor = outside[code]
        return anchor.tree_id == plan.existing.tree_id and plan.existing.lft <= anchor.lft <= plan.existing.rght
    return False


def _check_sibling_names(plans: list[PlannedOrg], report: Report, candidates,
                         by_code: dict[str, PlannedOrg]) -> None:
    """Names must stay unique among siblings."""
    final_names: dict[tuple[str | None, str], int] = {}
    for plan in plans:
        key = (plan.parent_code, plan.values["name"])
        if key in final_names:
            report.error(plan.row, "name", _("“%(name)s” appears twice under the same parent (row %(row)d).")
                         % {"name": plan.values["name"], "row": final_names[key]})
        final_names[key] = plan.row.number
    # Only siblings the actor manages: a top-level name of another tree must not show (a
    # non-superuser's top-level row is refused in _check_scope anyway).
    clashes = (
        candidates.filter(name__in={name for _parent, name in final_names})
        .exclude(code__in=set(by_code))
        .values_list("parent__code", "name")
    )
    for parent_code, name in clashes:
        row_number = final_names.get((parent_code, name))
        if row_number is not None:
            plan = next(p for p in plans if p.row.number == row_number)
            report.error(plan.row, "name", _("another organisation under the same parent is already named “%(name)s”.")
                         % {"name": name})


def _check_scope(plans: list[PlannedOrg], report: Report, actor) -> None:
    for plan in plans:
        # What remains: a code of another tree cannot be treated like a new one (codes are
        # unique across the federation, creating it would fail), so this row still tells the
        # actor that the code is taken. Parents, names and aliases above no longer tell.
        if plan.existing is not None and not can(actor, Action.MANAGE, plan.existing):
            report.error(plan.row, "code", _("%(code)s is outside the organisations you manage.") % {"code": plan.code})
        # Parents in the database were resolved among the actor's orgs (_resolve_parents).
        if plan.parent_code is None and not actor.is_superuser:
            report.error(plan.row, "parent", _("only a superuser can create a top-level organisation."))


def _in_parent_order(plans: list[PlannedOrg]) -> list[PlannedOrg]:
    by_code = {plan.code: plan for plan in plans}
    ordered, done = [], set()

    def visit(plan):
        if plan.code in done:
            return
        done.add(plan.code)
        parent = by_code.get(plan.parent_code)
        if parent is not None:
            visit(parent)
        ordered.append(plan)

    for plan in plans:
        visit(plan)
    return ordered


def _report_invalid(report: Report, plan: PlannedOrg, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        column = field if field in {c.key for c in COLUMNS} else None
        for message in messages:
            report.error(plan.row, column, message)


def _apply(plans: list[PlannedOrg], report: Report, actor, progress) -> None:
    orgs_by_code = {plan.code: plan.existing for plan in plans if plan.existing is not None}
    parent_codes = {plan.parent_code for plan in plans if plan.parent_code}
    orgs_by_code.update({org.code: org for org in Org.objects.filter(code__in=parent_codes - set(orgs_by_code))})
    moves = any(plan.existing is not None and plan.existing.parent_id != getattr(
        orgs_by_code.get(plan.parent_code), "pk", None) for plan in plans)
    if not moves:
        # New orgs in bulk (one INSERT per generation); a file that also moves orgs goes row by
        # row below, where mptt moves each subtree.
        if not _create_in_bulk(plans, report, actor, orgs_by_code):
            return
        plans = [plan for plan in plans if plan.existing is not None]
    for plan in progress(_in_parent_order(plans)):
        _apply_row(plan, report, actor, orgs_by_code)


def _create_in_bulk(plans: list[PlannedOrg], report: Report, actor, orgs_by_code: dict[str, Org]) -> bool:
    """Create the file's new orgs at once; False when it reported an error."""
    new = [plan for plan in _in_parent_order(plans) if plan.existing is None]
    for plan in new:
        org = orgs_by_code[plan.code] = Org(code=plan.code, parent=orgs_by_code.get(plan.parent_code),
                                            **plan.values)
        try:
            org.full_clean(exclude=["parent"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            _report_invalid(report, plan, exc)
    if not report.ok:
        return False
    try:
        services.create_orgs(actor=actor, orgs=[orgs_by_code[plan.code] for plan in new], fields_checked=True)
    except ValidationError as exc:  # checked above; a safety net
        report.error(None, None, " ".join(exc.messages))
        return False
    except PermissionDenied:
        report.error(None, None, _("you may not create organisations there."))
        return False
    report.created += len(new)
    return True


def _apply_row(plan: PlannedOrg, report: Report, actor, orgs_by_code: dict[str, Org]) -> None:
    """Create or update one row's org (its parent is already in ``orgs_by_code``)."""
    parent = orgs_by_code.get(plan.parent_code) if plan.parent_code else None
    try:
        if plan.existing is None:
            org = services.create_org(actor=actor, parent=parent, code=plan.code, constraints_checked=True,
                                      **plan.values)
            report.created += 1
        else:
            org = _update_existing(plan, parent, report, actor)
    except ValidationError as exc:
        _report_invalid(report, plan, exc)
        return
    except PermissionDenied:
        report.error(plan.row, "code", _("%(code)s is outside the organisations you manage.") % {"code": plan.code})
        return
    orgs_by_code[plan.code] = org


def _update_existing(plan: PlannedOrg, parent: Org | None, report: Report, actor) -> Org:
    changes = {k: v for k, v in plan.values.items() if getattr(plan.existing, k) != v}
    if parent != plan.existing.parent:
        changes["parent"] = parent
    if not changes:
        report.unchanged += 1
        return plan.existing
    org = services.update_org(actor=actor, org=plan.existing, constraints_checked=True, **changes)
    report.updated += 1
    return org


def resolve_references(candidates, references) -> dict[str, list[Org]]:
    """What ``candidates.resolve(reference)[:2]`` finds, for each of ``references`` at once: one
    query for those that are codes (a file's usual case), one each for names and aliases."""
    wanted = {(reference or "").strip() for reference in references} - {""}
    found = {org.code: [org] for org in candidates.filter(code__in=wanted)}
    for reference in wanted - found.keys():
        found[reference] = list(candidates.resolve(reference)[:2])
    return found


def import_job_org(user) -> Org | None:
    """The org a user's background import is filed under (its job page is scoped by it): the
    topmost org they manage; None when they manage none."""
    return scope_orgs(Org.objects.all(), user, Action.MANAGE).order_by("tree_id", "level", "lft").first()


def export_rows(queryset):
    """Header and rows of the org file for ``queryset`` (parents before children)."""
    # The export keeps the promised columns (interfaces.md); 企业工会 is an import-only option.
    headers = [column.zh for column in COLUMNS if column.key != "is_enterprise"]
    rows = (
        [
            org.code,
            org.name,
            org.parent.code if org.parent_id else "",
            KIND_FILE_LABELS[org.kind],
            org.short_name,
            org.members,  # counts are number cells (None: an empty cell)
            org.workers,
        ]
        for org in queryset.select_related("parent").order_by("tree_id", "lft")
    )
    return headers, rows


def export_orgs(target, fmt: str, queryset) -> None:
    headers, rows = export_rows(queryset)
    write_table(target, fmt, headers, rows, title=_("Organisations"))
