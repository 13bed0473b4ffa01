"""The duty exchange file (单位编码, 主要职责, 序号, 名称, 法定依据, …): import and export.

An import is all-or-nothing: every row is checked first and every problem reported as
``row N: COLUMN: message``; a clean file gives each org named in it a new catalogue version
holding exactly that org's rows (published unless ``draft``), inside one transaction.
An org whose catalogue has an open draft refuses a publishing import (``error: CODE: …``;
publish or discard the draft, or import with ``draft``, which replaces it with a warning).
A dry run goes through the same services and is rolled back, so it reports what the real
run would.
An export writes the same columns, so export → import round-trips.
"""

import functools
from collections import Counter
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from duties import content as data
from duties import services
from duties.models import CatalogueVersion, DutyItem, VersionStatus
from orgs.access import Action, scope_orgs
from orgs.exchange import resolve_references
from orgs.models import Org
from unionportal.columns import TextColumn
from unionportal.tabular import Column, Report, Row, import_transaction, read_table, write_table

COLUMNS = [
    Column("org", "单位编码", "org", required=True),
    Column("category", "主要职责", "category"),
    TextColumn("number", "序号", "number", required=True, max_length=DutyItem._meta.get_field("number").max_length),
    Column("name", "名称", "name", required=True),
    Column("legal_basis", "法定依据", "legal_basis"),
    TextColumn("department", "实施机构", "department", max_length=100),
    Column("boundary", "职责边界", "boundary"),
    Column("workflow", "运行流程", "workflow"),
    Column("documents", "运行要件", "documents"),
    Column("responsibilities", "责任事项", "responsibilities"),
    Column("supervision", "监督方式", "supervision"),
    Column("aliases", "别名", "aliases"),  # other wordings of the name (optional)
]
_COLUMN = {column.key: column for column in COLUMNS}
NUMBER_MAX_LENGTH = _COLUMN["number"].max_length
DEPARTMENT_MAX_LENGTH = _COLUMN["department"].max_length


@dataclass
class OrgPlan:
    org: Org
    rows: list[Row] = field(default_factory=list)
    content: data.Catalogue | None = None
    current: CatalogueVersion | None = None
    draft: CatalogueVersion | None = None  # the catalogue's open draft, if any
    summary: str = ""
    unchanged: bool = False  # the file holds the published version's content: no new version
    published: data.Catalogue | None = None  # the published version's content, read once


@dataclass
class ImportResult:
    report: Report
    plans: list[OrgPlan]
    versions: list[CatalogueVersion] = field(default_factory=list)


# --- import ---------------------------------------------------------------------------------


def import_duties(source, fmt: str, *, actor, dry_run: bool = False, draft: bool = False,
                  note: str = "", limits=None) -> ImportResult:
    report = Report()
    table = read_table(source, fmt, COLUMNS, report=report, limits=limits)
    plans = _check_rows(table.rows, report, actor)
    if not report.ok:
        return ImportResult(report, plans)
    _attach_versions(plans)
    for plan in plans:
        _plan_version(plan, report, draft)
    result = ImportResult(report, plans)
    if not report.ok:
        return result
    # A dry run applies too, through the same services, and is rolled back: it fails where
    # the real run would fail.
    with import_transaction(report, dry_run=dry_run):
        for plan in (plan for plan in plans if not plan.unchanged):
            _create_version(plan, result, actor=actor, draft=draft, note=note)
    if dry_run or not report.ok:
        result.versions = []  # rolled back
    return result


def _attach_versions(plans: list[OrgPlan]) -> None:
    """Each plan's published version and open draft (one query)."""
    current_versions = CatalogueVersion.objects.filter(
        catalogue__org__in=[plan.org for plan in plans],
        status__in=[VersionStatus.PUBLISHED, VersionStatus.DRAFT],
    ).select_related("catalogue__org")
    currents, drafts = {}, {}
    for version in current_versions:
        slot = drafts if version.status == VersionStatus.DRAFT else currents
        slot[version.catalogue.org_id] = version
    for plan in plans:
        plan.current = currents.get(plan.org.pk)
        plan.draft = drafts.get(plan.org.pk)


def _plan_version(plan: OrgPlan, report: Report, draft: bool) -> None:
    """What the import will do for one org: refuse (open draft), keep, create or update."""
    if plan.draft is not None:
        if not draft:
            report.error(None, None, _has_draft(plan.org, plan.draft.number))
            return
        report.warn(None, None, _replaces_draft(plan.org, plan.draft.number))
    plan.content = _content(plan, report)
    plan.published = services.version_data(plan.current) if plan.current else None
    plan.summary = _summary(plan, draft)
    if not draft and plan.draft is None and _same_as_published(plan):
        plan.unchanged = True
        plan.summary = _("%(code)s: unchanged (the same as published version %(number)d).") % {
            "code": plan.org.code, "number": plan.current.number}
        report.unchanged += 1
    elif plan.current is None:
        report.created += 1
    else:
        report.updated += 1


def _create_version(plan: OrgPlan, result: ImportResult, *, actor, draft: bool, note: str) -> None:
    report = result.report
    try:
        version = services.create_version(
            actor=actor, org=plan.org, content=plan.content, publish=not draft, note=note)
    except services.DraftExists as exc:  # a draft opened since the check above
        report.error(None, None, _has_draft(plan.org, exc.draft.number))
    except ValidationError as exc:
        report.error(None, None, f"{plan.org.code}: {' '.join(exc.messages)}")
    else:
        result.versions.append(version)


def _has_draft(org: Org, number: int) -> str:
    return (_("%(code)s: the duty catalogue has draft version %(number)d; publish or discard it, "
              "or use --draft to replace it.") % {"code": org.code, "number": number})


def _replaces_draft(org: Org, number: int) -> str:
    return (_("%(code)s: the imported draft replaces draft version %(number)d (its edits are "
              "discarded).") % {"code": org.code, "number": number})


def _check_rows(rows: list[Row], report: Report, actor) -> list[OrgPlan]:
    plans: dict[int, OrgPlan] = {}
    # With an actor, an org outside their scope reads as one that does not exist, so the
    # preview does not tell which orgs other trees hold (commands run without one: all orgs).
    candidates = scope_orgs(Org.objects.all(), actor, Action.MANAGE)  # SYSTEM reaches every org
    resolved = resolve_references(candidates, (row["org"] for row in rows))
    first_row: dict[tuple[int, str, str], int] = {}
    for row in rows:
        org = None
        reference = row["org"]
        if not reference:
            report.error(row, "org", _("is required."))
        else:
            matches = resolved.get(reference.strip(), [])
            if not matches:
                report.error(row, "org", _("no organisation has the code or name “%(ref)s”.")
                             % {"ref": reference})
            elif len(matches) > 1:
                report.error(row, "org", _("“%(ref)s” names more than one organisation; use its code.")
                             % {"ref": reference})
            else:
                org = matches[0]
        number = row["number"]
        if not number:
            report.error(row, "number", _("is required."))
        else:
            _COLUMN["number"].read(row, report)
        if not row["name"]:
            report.error(row, "name", _("is required."))
        _COLUMN["department"].read(row, report)
        if org is not None and number:
            key = (org.pk, data.join_lines(row["category"]), number)
            if key in first_row:
                report.error(row, "number", _("%(number)s appears twice for %(code)s under the same "
                                              "main duty (already in row %(row)d).")
                             % {"number": number, "code": org.code, "row": first_row[key]})
            else:
                first_row[key] = row.number
        if org is not None:
            plans.setdefault(org.pk, OrgPlan(org)).rows.append(row)
    return list(plans.values())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line for line in data.clean_cell(text).split("\n") if line)


def _content(plan: OrgPlan, report: Report) -> data.Catalogue:
    """The org's rows as catalogue data; each department keeps its most common 监督方式."""
    supervision_texts: dict[str, list[str]] = {}
    for row in plan.rows:
        department = data.clean_cell(row["department"])
        supervision = data.clean_cell(row["supervision"])
        if department and supervision:
            supervision_texts.setdefault(department, []).append(supervision)
    departments = []
    for row in plan.rows:
        name = data.clean_cell(row["department"])
        if name and name not in {dept.name for dept in departments}:
            texts = supervision_texts.get(name, [])
            counts = Counter(texts)
            canonical = max(texts, key=lambda text: counts[text]) if texts else ""
            departments.append(data.Department(name=name, supervision=canonical))
    canonical_of = {dept.name: dept.supervision for dept in departments}
    # A catalogue repeats its 法定依据, 运行流程, 运行要件 and 责任事项 texts row after row, and
    # reading them is pure (the results are immutable): each distinct text is read once.
    legal_basis, legal_basis_text, workflows, documents, responsibilities, responsibilities_text = (
        functools.cache(read) for read in (
            data.split_legal_basis, data.legal_basis_as_written, data.parse_workflows,
            data.split_documents, data.split_responsibilities, data.responsibilities_as_written))
    items = []
    for row in plan.rows:
        department = data.clean_cell(row["department"])
        supervision = data.clean_cell(row["supervision"])
        if department and supervision == canonical_of.get(department):
            supervision = ""
        items.append(data.DutyItem(
            number=row["number"],
            name=data.clean_cell(row["name"]),
            category=data.join_lines(row["category"]),
            legal_basis=legal_basis(row["legal_basis"]),
            legal_basis_text=legal_basis_text(row["legal_basis"]),
            department=department,
            boundary=data.clean_cell(row["boundary"]),
            workflows=workflows(row["workflow"]),
            documents=documents(row["documents"]),
            responsibilities=responsibilities(row["responsibilities"]),
            responsibilities_text=responsibilities_text(row["responsibilities"]),
            supervision=supervision,
            aliases=_lines(row["aliases"]),
        ))
    title = plan.current.catalogue.title if plan.current else f"{plan.org.name}职责清单"
    return data.Catalogue(org_name=plan.org.name, title=title, items=tuple(items),
                          departments=tuple(departments))


def content_changes(old: data.Catalogue | None, new: data.Catalogue) -> tuple[int, int, int]:
    """(added, removed, changed) items between two contents, keyed by (主要职责, 序号)."""
    before = {(item.category, item.number): item for item in (old.items if old else ())}
    after = {(item.category, item.number): item for item in new.items}
    supervision_old = {dept.name: dept.supervision for dept in (old.departments if old else ())}
    supervision_new = {dept.name: dept.supervision for dept in new.departments}

    def shown(item, supervision_of):
        # The main duty's own number is derived from the items' numbers, not compared.
        return (replace(item, category_number="", supervision=""),
                item.supervision or supervision_of.get(item.department, ""))

    added = sum(1 for key in after if key not in before)
    removed = sum(1 for key in before if key not in after)
    changed = sum(1 for key, item in after.items()
                  if key in before and shown(item, supervision_new) != shown(before[key], supervision_old))
    return added, removed, changed


def _same_as_published(plan: OrgPlan) -> bool:
    """Whether the file's rows are the published version's items, in the same order."""
    if plan.current is None:
        return False
    old = plan.published
    keys = [(item.category, item.number) for item in plan.content.items]
    return (content_changes(old, plan.content) == (0, 0, 0)
            and keys == [(item.category, item.number) for item in old.items])


def _summary(plan: OrgPlan, draft: bool) -> str:
    added, removed, changed = content_changes(plan.published, plan.content)
    state = _("draft") if draft else _("published")
    return _("%(code)s: %(state)s version with %(count)d items (%(added)d added, %(removed)d removed, "
             "%(changed)d changed).") % {
        "code": plan.org.code, "state": state, "count": len(plan.content.items),
        "added": added, "removed": removed, "changed": changed,
    }


# --- export ---------------------------------------------------------------------------------


def _join(parts, splitter, separator: str) -> str:
    """Parts joined the way a person writes them, if they split back the same; else by lines."""
    parts = tuple(parts)
    text = separator.join(parts)
    return text if splitter(text) == parts else "\n".join(parts)


def item_row(code: str, item: DutyItem, main_duty_name: str) -> list[str]:
    return [
        code,
        main_duty_name,
        item.number,
        item.name,
        item.legal_basis_text or data.join_legal_basis(item.legal_basis),
        item.department.name if item.department_id else "",
        item.boundary,
        item.workflow_text,
        _join(item.documents, data.split_documents, "、"),
        item.responsibilities_printed,
        item.effective_supervision,
        "\n".join(item.aliases),
    ]


def export_rows(versions: list[CatalogueVersion]):
    """Header and rows for versions whose main duties and items are prefetched."""
    headers = [column.zh for column in COLUMNS]

    def rows():
        for version in versions:
            names = {main_duty.pk: main_duty.name for main_duty in version.main_duties.all()}
            code = version.catalogue.org.code
            for item in version.items.all():
                yield item_row(code, item, names.get(item.main_duty_id, ""))

    return headers, rows()


def export_duties(target, fmt: str, versions: list[CatalogueVersion]) -> None:
    headers, rows = export_rows(versions)
    write_table(target, fmt, headers, rows, title=_("Duty catalogues"))
