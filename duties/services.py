"""Every write to duty catalogues: checked, atomic, audited; published versions never change.

Catalogue content travels as the plain dataclasses of ``duties.content`` (``Catalogue``,
``DutyItem``, ``Department``): the import and the seed parsers build them, and
``version_data`` turns a stored version back into them (for drafts, diffs and exports).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from duties import content as data
from duties.models import (
    Catalogue,
    CatalogueVersion,
    Department,
    DutyItem,
    MainDuty,
    VersionStatus,
)
from orgs.access import Action, require
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.concurrency import lock


class NotEditable(ValidationError):
    """A published or superseded version was asked to change."""


class DraftExists(ValidationError):
    """A version was to be published while the catalogue has an open draft (someone's edit)."""

    def __init__(self, draft: "CatalogueVersion"):
        self.draft = draft
        super().__init__(
            _("%(name)s's duty catalogue has draft version %(number)d; publish or discard it first.")
            % {"name": draft.catalogue.org.name, "number": draft.number},
            code="draft_exists",
        )


def _check_editable(version: CatalogueVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise NotEditable(
            _("Version %(number)d is published and cannot change; start a draft to edit it.")
            % {"number": version.number}
        )


def _lock_draft(version_id: int) -> CatalogueVersion:
    """The version, locked for this transaction; NotEditable unless it is a draft."""
    locked = lock(CatalogueVersion.objects.select_related("catalogue__org").filter(pk=version_id),
                  None)
    _check_editable(locked)
    return locked


# --- content ↔ rows -------------------------------------------------------------------------


def main_duty_number(item_numbers: Iterable[str]) -> str:
    """A main duty's own number when its items are numbered under it (1.1, 1.2 → 1)."""
    prefixes = {number.split(".", 1)[0] for number in item_numbers if "." in number}
    all_dotted = all("." in number for number in item_numbers)
    return prefixes.pop() if len(prefixes) == 1 and all_dotted else ""


def workflows_json(workflow_text: str) -> list[dict]:
    return [{"title": flow.title, "steps": list(flow.steps)}
            for flow in data.parse_workflows(workflow_text)]


def _write_content(version: CatalogueVersion, content: data.Catalogue) -> None:
    """Store ``content`` (departments, main duties, items) in an empty version, in bulk."""
    departments = Department.objects.bulk_create(
        Department(version=version, name=dept.name, supervision=dept.supervision, position=index)
        for index, dept in enumerate(content.departments)
    )
    department_by_name = {dept.name: dept for dept in departments}
    missing = [item.department for item in content.items
               if item.department and item.department not in department_by_name]
    for name in dict.fromkeys(missing):
        department_by_name[name] = Department.objects.create(
            version=version, name=name, position=len(department_by_name))

    numbers: dict[str, list[str]] = {}
    for item in content.items:
        if item.category:
            numbers.setdefault(item.category, []).append(item.number)
    main_duties = MainDuty.objects.bulk_create(
        MainDuty(version=version, name=name, position=index,
                 number=number or main_duty_number(numbers.get(name, [])))
        for index, (number, name) in enumerate(content.categories)
    )
    main_duty_by_name = {main_duty.name: main_duty for main_duty in main_duties}

    rows = []
    for index, item in enumerate(content.items):
        workflow_text = "\n".join(flow.text for flow in item.workflows)
        row = DutyItem(
            version=version,
            main_duty=main_duty_by_name.get(item.category) if item.category else None,
            number=item.number,
            name=item.name,
            legal_basis=list(item.legal_basis),
            legal_basis_text=item.legal_basis_text,
            department=department_by_name.get(item.department) if item.department else None,
            boundary=item.boundary,
            workflow_text=workflow_text,
            workflows=[{"title": flow.title, "steps": list(flow.steps)} for flow in item.workflows],
            documents=list(item.documents),
            responsibilities=list(item.responsibilities),
            responsibilities_text=item.responsibilities_text,
            supervision=item.supervision,
            aliases=list(item.aliases),
            position=index,
        )
        row.search_text = row.build_search_text()
        rows.append(row)
    DutyItem.objects.bulk_create(rows, batch_size=500)


def version_data(version: CatalogueVersion) -> data.Catalogue:
    """A stored version as plain data (three queries)."""
    departments = list(version.departments.all())
    by_id = {dept.pk: dept for dept in departments}
    main_duties = {main_duty.pk: main_duty for main_duty in version.main_duties.all()}
    items = []
    for item in version.items.all():
        main_duty = main_duties.get(item.main_duty_id)
        items.append(data.DutyItem(
            number=item.number,
            name=item.name,
            category=main_duty.name if main_duty else "",
            category_number=main_duty.number if main_duty else "",
            legal_basis=tuple(item.legal_basis),
            department=by_id[item.department_id].name if item.department_id else "",
            boundary=item.boundary,
            workflows=data.parse_workflows(item.workflow_text),
            documents=tuple(item.documents),
            responsibilities=tuple(item.responsibilities),
            supervision=item.supervision,
            aliases=tuple(item.aliases),
            legal_basis_text=item.legal_basis_text,
            responsibilities_text=item.responsibilities_text,
        ))
    return data.Catalogue(
        org_name=version.catalogue.org.name,
        title=version.title,
        items=tuple(items),
        departments=tuple(data.Department(dept.name, dept.supervision) for dept in departments),
    )


# --- catalogues and versions ----------------------------------------------------------------


def _locked_catalogue(*, actor, org: Org, title: str) -> tuple[Catalogue, bool]:
    catalogue, created = Catalogue.objects.get_or_create(org=org, defaults={"title": title})
    if created:
        audit.record(actor=actor, action="duties.catalogue.create", instance=catalogue, org=org,
                     after={"title": title})
    # Lock the catalogue row: version numbers and the draft/published slots are per catalogue.
    return lock(catalogue, None), created


def create_catalogue(*, actor, org: Org, title: str) -> Catalogue:
    """An org's (empty) catalogue; its first version starts as a draft."""
    require(actor, Action.MANAGE, org)
    with transaction.atomic():
        if Catalogue.objects.filter(org=org).exists():
            raise ValidationError(_("%(name)s already has a duty catalogue.") % {"name": org.name})
        catalogue, _created = _locked_catalogue(actor=actor, org=org, title=title)
    return catalogue


def rename_catalogue(*, actor, catalogue: Catalogue, title: str) -> Catalogue:
    """Change a catalogue's title (the admin's edit); audited before and after."""
    require(actor, Action.MANAGE, catalogue.org)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Enter the catalogue's title.")})
    with transaction.atomic():
        locked = lock(Catalogue.objects.select_related("org").filter(pk=catalogue.pk), None)
        if locked.title == title:
            return locked
        before = audit.snapshot(locked, ["title"])
        locked.title = title
        locked.full_clean()
        locked.save(update_fields=["title"])
        audit.record(actor=actor, action="duties.catalogue.rename", instance=locked,
                     org=locked.org, before=before, after=audit.snapshot(locked, ["title"]))
    return locked


def _next_number(catalogue: Catalogue) -> int:
    return (catalogue.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _publish_locked(actor, version: CatalogueVersion) -> None:
    now = timezone.now()
    previous = CatalogueVersion.objects.filter(
        catalogue=version.catalogue, status=VersionStatus.PUBLISHED).exclude(pk=version.pk)
    for old in previous:
        old.status = VersionStatus.SUPERSEDED
        old.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = user_or_none(actor)
    version.save(update_fields=["status", "published_at", "published_by"])
    audit.record(actor=actor, action="duties.version.publish", instance=version,
                 org=version.catalogue.org, after={"number": version.number},
                 before={"superseded": [old.number for old in previous]} if previous else None)


def create_version(*, actor, org: Org, content: data.Catalogue, publish: bool = True,
                   note: str = "") -> CatalogueVersion:
    """A new version of ``org``'s catalogue holding exactly ``content``.

    Published unless ``publish`` is false.  A catalogue has at most one draft, and a draft is
    someone's unfinished edit (started in the admin or by an earlier draft import):

    - a new *draft* takes the draft's place (the old draft is discarded, audited): asking for a
      draft says "this content is the draft now";
    - a new *published* version is refused with ``DraftExists`` while a draft is open: it
      would either destroy that edit or leave a draft of an older version that, published
      later, silently undoes this one.  The draft's owner publishes or discards it first.
    """
    require(actor, Action.MANAGE, org)
    with transaction.atomic():
        catalogue, _created = _locked_catalogue(actor=actor, org=org, title=content.title)
        open_draft = catalogue.versions.filter(status=VersionStatus.DRAFT).select_related(
            "catalogue__org").first()
        if open_draft is not None:
            if publish:
                raise DraftExists(open_draft)
            _discard_locked(actor, open_draft)
        version = CatalogueVersion.objects.create(
            catalogue=catalogue,
            number=_next_number(catalogue),
            title=content.title or catalogue.title,
            note=note,
            created_by=user_or_none(actor),
        )
        _write_content(version, content)
        audit.record(actor=actor, action="duties.version.create", instance=version, org=org,
                     after={"number": version.number, "items": len(content.items), "note": note})
        if publish:
            _publish_locked(actor, version)
            if catalogue.title != version.title:
                catalogue.title = version.title
                catalogue.save(update_fields=["title"])
    return version


def start_draft(*, actor, catalogue: Catalogue) -> CatalogueVersion:
    """The catalogue's draft: the existing one, or a new copy of the published version."""
    require(actor, Action.MANAGE, catalogue.org)
    with transaction.atomic():
        catalogue = lock(Catalogue.objects.select_related("org").filter(pk=catalogue.pk), None)
        draft = catalogue.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        source = catalogue.versions.filter(status=VersionStatus.PUBLISHED).first()
        content = (version_data(source) if source is not None
                   else data.Catalogue(org_name=catalogue.org.name, title=catalogue.title, items=()))
        draft = CatalogueVersion.objects.create(
            catalogue=catalogue, number=_next_number(catalogue), title=content.title,
            created_by=user_or_none(actor),
        )
        _write_content(draft, content)
        audit.record(actor=actor, action="duties.version.draft", instance=draft, org=catalogue.org,
                     after={"number": draft.number, "from": source.number if source else None})
    return draft


def publish_version(*, actor, version: CatalogueVersion) -> CatalogueVersion:
    """Publish a draft; the previous published version stays readable as superseded."""
    require(actor, Action.MANAGE, version.catalogue.org)
    with transaction.atomic():
        lock(Catalogue.objects.filter(pk=version.catalogue_id), None)
        current = _lock_draft(version.pk)
        _publish_locked(actor, current)
        catalogue = current.catalogue
        if catalogue.title != current.title:
            catalogue.title = current.title
            catalogue.save(update_fields=["title"])
    return current


def _discard_locked(actor, version: CatalogueVersion) -> None:
    audit.record(actor=actor, action="duties.version.discard", instance=version,
                 org=version.catalogue.org, before={"number": version.number})
    version.delete()


def discard_draft(*, actor, version: CatalogueVersion) -> None:
    require(actor, Action.MANAGE, version.catalogue.org)
    with transaction.atomic():
        current = _lock_draft(version.pk)
        _discard_locked(actor, current)


# --- editing a draft (the admin) ------------------------------------------------------------

ITEM_FIELDS = ("main_duty", "number", "name", "legal_basis", "legal_basis_text", "department", "boundary",
               "workflow_text", "documents", "responsibilities", "responsibilities_text", "supervision",
               "aliases", "position")


def save_item(*, actor, item: DutyItem) -> DutyItem:
    """Create or change one item of a draft (the admin's form has filled ``item`` in)."""
    version = item.version
    require(actor, Action.MANAGE, version.catalogue.org)
    with transaction.atomic():
        _lock_draft(version.pk)
        for related in (item.main_duty, item.department):
            if related is not None and related.version_id != version.pk:
                raise ValidationError(_("Main duty and department must belong to the same version."))
        before = None
        if item.pk:
            old = DutyItem.objects.get(pk=item.pk)
            _check_editable(old.version)
            before = audit.snapshot(old, ITEM_FIELDS)
        item.workflows = workflows_json(item.workflow_text)
        item.drop_stale_written_text()
        item.search_text = item.build_search_text()
        item.full_clean()
        item.save()
        audit.record(actor=actor, action="duties.item.save", instance=item,
                     org=version.catalogue.org, before=before, after=audit.snapshot(item, ITEM_FIELDS))
    return item


def delete_item(*, actor, item: DutyItem) -> None:
    require(actor, Action.MANAGE, item.version.catalogue.org)
    with transaction.atomic():
        locked = _lock_draft(item.version_id)
        audit.record(actor=actor, action="duties.item.delete", instance=item,
                     org=locked.catalogue.org, before=audit.snapshot(item, ITEM_FIELDS))
        item.delete()


def save_part(*, actor, instance) -> None:
    """Create or change a main duty or department of a draft."""
    require(actor, Action.MANAGE, instance.version.catalogue.org)
    with transaction.atomic():
        locked = _lock_draft(instance.version_id)
        instance.full_clean()
        instance.save()
        audit.record(actor=actor, action=f"duties.{instance._meta.model_name}.save", instance=instance,
                     org=locked.catalogue.org, after=audit.snapshot(instance))


def delete_part(*, actor, instance) -> None:
    require(actor, Action.MANAGE, instance.version.catalogue.org)
    with transaction.atomic():
        locked = _lock_draft(instance.version_id)
        audit.record(actor=actor, action=f"duties.{instance._meta.model_name}.delete",
                     instance=instance, org=locked.catalogue.org, before=audit.snapshot(instance))
        instance.delete()


def set_version_details(*, actor, version: CatalogueVersion, title: str, note: str) -> None:
    require(actor, Action.MANAGE, version.catalogue.org)
    with transaction.atomic():
        locked = _lock_draft(version.pk)
        before = {"title": locked.title, "note": locked.note}
        locked.title, locked.note = title, note
        locked.save(update_fields=["title", "note"])
        audit.record(actor=actor, action="duties.version.details", instance=locked,
                     org=version.catalogue.org, before=before, after={"title": title, "note": note})
