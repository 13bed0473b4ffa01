"""The model-worker register file (姓名, 身份证号后四位, 工作单位编码, …): import and export.

All or nothing: every row is checked first; only a clean file is applied, in one transaction.
A known (name, id_tail, org) updates that worker; anything else creates one.
"""

import datetime as dt

from django.utils.translation import gettext as _

from orgs.models import Org
from services.models import ModelWorker
from services.models.workers import WORKER_LEVEL_FILE_LABELS, WORKER_LEVEL_FILE_NAMES, WorkerLevel
from unionportal import audit
from unionportal.scoping import Action, scope_orgs
from unionportal.tabular import (
    Column,
    Number,
    Report,
    import_transaction,
    parse_yes_no,
    read_table,
    write_table,
)

COLUMNS = [
    Column("name", "姓名", "name", required=True),
    Column("id_tail", "身份证号后四位", "id_tail"),
    Column("org", "工作单位编码", "org", required=True),
    Column("level", "级别", "level", required=True),
    Column("honours", "获评次数", "honours", required=True),
    Column("first_year", "首次获评年度", "first_year", required=True),
    Column("retired", "是否退休", "retired", required=True),
    Column("alive", "是否健在", "alive"),
]
FIELDS = ("level", "honours", "first_year", "retired", "alive")


def _yes_no(row, key, report, default=None):
    if not row[key].strip() and default is not None:
        return default
    value = parse_yes_no(row[key])
    if value is not None:
        return value
    report.error(row, key, _("write 是 or 否 (found “%(value)s”).") % {"value": row[key]})
    return None


def _whole(row, key, report, low, high):
    text = row[key].strip()
    try:
        value = int(text)
    except ValueError:
        report.error(row, key, _("“%(value)s” is not a whole number.") % {"value": text})
        return None
    if not low <= value <= high:
        report.error(row, key, _("must be between %(low)d and %(high)d (found %(value)d).")
                     % {"low": low, "high": high, "value": value})
        return None
    return value


def import_model_workers(source, fmt: str, *, actor=None, dry_run: bool = False,
                         limits=None) -> Report:
    report = Report()
    table = read_table(source, fmt, COLUMNS, report=report, limits=limits)
    org_cache: dict[str, Org | None] = {}
    # With an actor, an org outside their scope reads as one that does not exist, so the
    # preview does not tell which orgs other trees hold (commands run without one: all orgs).
    candidates = Org.objects.all() if actor is None else scope_orgs(Org.objects.all(), actor, Action.MANAGE)
    plans = []
    seen: dict[tuple, int] = {}
    this_year = dt.date.today().year
    for row in table.rows:
        name = row["name"].strip()
        if not name:
            report.error(row, "name", _("is required."))
        elif len(name) > 50:
            report.error(row, "name", _("is longer than %(max)d characters.") % {"max": 50})
        id_tail = row["id_tail"].strip().upper()
        if id_tail and not (len(id_tail) == 4 and id_tail[:3].isdigit()
                            and (id_tail[3].isdigit() or id_tail[3] == "X")):
            report.error(row, "id_tail", _("write the last four characters of the ID number."))
        reference = row["org"].strip()
        if reference not in org_cache:
            matches = list(candidates.resolve(reference)[:2]) if reference else []
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
        org = org_cache.get(reference)
        level_text = row["level"].strip()
        level = WORKER_LEVEL_FILE_NAMES.get(level_text) or (
            level_text.lower() if level_text.lower() in WorkerLevel.values else None)
        if level is None:
            report.error(row, "level", _("unknown level “%(value)s”; use 市级, 省级 or 全国.")
                         % {"value": level_text})
        honours = _whole(row, "honours", report, 1, 99)
        first_year = _whole(row, "first_year", report, 1950, this_year)
        retired = _yes_no(row, "retired", report)
        alive = _yes_no(row, "alive", report, default=True)
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
