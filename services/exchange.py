"""The model-worker register file (姓名, 身份证号后四位, 工作单位编码, …): import and export.

All or nothing: every row is checked first; only a clean file is applied, in one transaction.
A known (name, id_tail, org) updates that worker; anything else creates one.
"""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.access import Action, scope_orgs
from orgs.exchange import resolve_references
from orgs.models import Org
from services.models import ModelWorker
from services.models.workers import WORKER_LEVEL_FILE_LABELS, WORKER_LEVEL_FILE_NAMES
from unionportal import audit
from unionportal.columns import ChoiceColumn, IntegerColumn, YesNoColumn
from unionportal.tabular import (
    Column,
    Number,
    Report,
    import_transaction,
    read_table,
    write_table,
)

COLUMNS = [
    Column("name", "姓名", "name", required=True),
    Column("id_tail", "身份证号后四位", "id_tail"),
    Column("org", "工作单位编码", "org", required=True),
    ChoiceColumn("level", "级别", "level", required=True, choices=tuple(WORKER_LEVEL_FILE_NAMES.items()),
                 unknown=gettext_lazy("unknown level “%(value)s”; use 市级, 省级 or 全国.")),
    IntegerColumn("honours", "获评次数", "honours", required=True, low=1, high=99),
    IntegerColumn("first_year", "首次获评年度", "first_year", required=True, low=1950),
    YesNoColumn("retired", "是否退休", "retired", required=True),
    YesNoColumn("alive", "是否健在", "alive", blank=True),
]
_COLUMN = {column.key: column for column in COLUMNS}
FIELDS = ("level", "honours", "first_year", "retired", "alive")


def import_model_workers(source, fmt: str, *, actor, dry_run: bool = False,
                         limits=None) -> Report:
    report = Report()
    table = read_table(source, fmt, COLUMNS, report=report, limits=limits)
    # With an actor, an org outside their scope reads as one that does not exist, so the
    # preview does not tell which orgs other trees hold (commands run without one: all orgs).
    candidates = scope_orgs(Org.objects.all(), actor, Action.MANAGE)  # SYSTEM reaches every org
    resolved = resolve_references(candidates, (row["org"] for row in table.rows))
    org_cache: dict[str, Org | None] = {}
    plans = []
    seen: dict[tuple, int] = {}
    this_year = dt.date.today().year
    first_year_column = _COLUMN["first_year"].bounded(this_year)
    for row in table.rows:
        name = _read_name(row, report)
        id_tail = _read_id_tail(row, report)
        org = _read_org(row, report, org_cache, resolved)
        level = _COLUMN["level"].read(row, report)
        honours = _COLUMN["honours"].read(row, report)
        first_year = first_year_column.read(row, report)
        retired = _COLUMN["retired"].read(row, report)
        alive = _COLUMN["alive"].read(row, report)
        if org is not None and name:
            key = (name, id_tail, org.pk)
            if key in seen:
                report.error(row, "name", _("the same person appears twice (row %(row)d).")
                             % {"row": seen[key]})
            seen[key] = row.number
        plans.append((row, name, id_tail, org, {"level": level, "honours": honours,
                                                 "first_year": first_year, "retired": retired,
                                                 "alive": alive}))
    if not report.ok:
        return report
    with import_transaction(report, dry_run=dry_run):
        _apply(plans, report, actor)
    return report


def _read_name(row, report: Report) -> str:
    name = row["name"].strip()
    if not name:
        report.error(row, "name", _("is required."))
    elif len(name) > 50:
        report.error(row, "name", _("is longer than %(max)d characters.") % {"max": 50})
    return name


def _read_id_tail(row, report: Report) -> str:
    id_tail = row["id_tail"].strip().upper()
    if id_tail and not (len(id_tail) == 4 and id_tail[:3].isdigit()
                        and (id_tail[3].isdigit() or id_tail[3] == "X")):
        report.error(row, "id_tail", _("write the last four characters of the ID number."))
    return id_tail


def _read_org(row, report: Report, org_cache: dict[str, Org | None], resolved: dict[str, list[Org]]) -> Org | None:
    """The row's 工作单位编码 as one org among those it may name (None, reported, otherwise);
    ``resolved`` holds each reference's matches (``resolve_references``)."""
    reference = row["org"].strip()
    if reference not in org_cache:
        matches = resolved.get(reference, []) if reference else []
        org_cache[reference] = matches[0] if len(matches) == 1 else None
        if not reference:
            report.error(row, "org", _("is required."))
        elif not matches:
            report.error(row, "org", _("no organisation has the code or name “%(ref)s”.")
                         % {"ref": reference})
        elif len(matches) > 1:
            report.error(row, "org", _("“%(ref)s” names more than one organisation; use its code.")
                         % {"ref": reference})
    elif org_cache[reference] is None:
        report.error(row, "org", _("no single organisation matches “%(ref)s”.") % {"ref": reference})
    return org_cache.get(reference)


def _apply(plans, report: Report, actor) -> None:
    existing = {
        (w.name, w.id_tail, w.org_id): w
        for w in ModelWorker.objects.select_for_update().filter(
            org__in={org.pk for _row, _name, _tail, org, _values in plans},
            name__in={name for _row, name, _tail, _org, _values in plans},
        )
    }
    new, changed = [], []
    for _row, name, id_tail, org, values in plans:
        worker = existing.get((name, id_tail, org.pk))
        if worker is None:
            new.append(ModelWorker(name=name, id_tail=id_tail, org=org, **values))
            report.created += 1
        elif any(getattr(worker, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(worker, key, value)
            changed.append(worker)
            report.updated += 1
        else:
            report.unchanged += 1
    ModelWorker.objects.bulk_create(new, batch_size=500)
    ModelWorker.objects.bulk_update(changed, FIELDS, batch_size=500)
    if new or changed:
        anchor = plans[0][3]
        audit.record(actor=actor, action="model_workers.import", instance=anchor, org=anchor,
                     after={"created": report.created, "updated": report.updated,
                            "unchanged": report.unchanged})


def export_rows(queryset):
    headers = [column.zh for column in COLUMNS]
    rows = (
        [w.name, w.id_tail, w.org.code, WORKER_LEVEL_FILE_LABELS[w.level], w.honours,
         Number(w.first_year, "0"), "是" if w.retired else "否", "是" if w.alive else "否"]
        for w in queryset.select_related("org").order_by("org__tree_id", "org__lft", "name", "id")
    )
    return headers, rows


def export_model_workers(target, fmt: str, queryset) -> None:
    headers, rows = export_rows(queryset)
    write_table(target, fmt, headers, rows, title=_("Model workers"))
