"""Reads of duty catalogues: every one through the scoping gate, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404

from duties.models import Catalogue, CatalogueVersion, DutyItem, MainDuty, VersionStatus, normalise
from orgs.access import Action, can, fetch_scoped, scope_orgs, scope_queryset
from orgs.models import Org
from unionportal import compiled_sql

# Fields shown and compared per item, in the order of the duty card.
DIFF_FIELDS = ("name", "legal_basis", "department", "boundary", "workflow_text", "documents",
               "responsibilities", "supervision")


def visible_catalogues(user):
    """Catalogues with a published version whose org the user sees, in tree order."""
    return (
        scope_queryset(Catalogue.objects.filter(versions__status=VersionStatus.PUBLISHED), user, Action.VIEW)
        .select_related("org")
        .order_by("org__tree_id", "org__lft")
    )


def children_with_catalogues(org: Org, user) -> bool:
    """Whether visible orgs directly below ``org`` have published catalogues to compare."""
    return CatalogueVersion.objects.filter(
        catalogue__org__in=scope_orgs(org.get_children(), user, Action.VIEW),
        status=VersionStatus.PUBLISHED,
    ).exists()


def catalogue_org_for(org: Org, user) -> Org | None:
    """The org whose catalogue page ``org``'s page links to: ``org`` itself when it has a
    published catalogue or visible catalogues below it (the federation overview), else the
    nearest visible ancestor with a published catalogue (a base union works under its
    system union's 工作职责); None when the user could open none of them (two queries)."""
    published = Q(duty_catalogue__versions__status=VersionStatus.PUBLISHED)
    candidates = scope_orgs(org.get_ancestors(include_self=True), user, Action.VIEW)
    nearest = candidates.filter(published).order_by("-level").first()
    if nearest is not None and nearest.pk == org.pk:
        return org
    below = scope_orgs(org.get_descendants(), user, Action.VIEW).filter(published)
    if below.exists():
        return org
    return nearest


def _visible_subtree(org: Org, user, *, unscoped: bool = False):
    orgs = org.get_descendants(include_self=True)
    return orgs if unscoped else scope_orgs(orgs, user, Action.VIEW)


def catalogues_below(org: Org, user) -> list[CatalogueVersion]:
    """The published versions of the visible orgs below ``org``, in tree order, each with its
    ``item_count`` (one query): the federation overview of an org without a catalogue."""
    return list(
        CatalogueVersion.objects.filter(
            catalogue__org__in=_visible_subtree(org, user).exclude(pk=org.pk),
            status=VersionStatus.PUBLISHED,
        )
        .select_related("catalogue__org")
        .annotate(item_count=Count("items"))
        .order_by("catalogue__org__tree_id", "catalogue__org__lft")
    )


def versions_of(org: Org, user, *, may_manage: bool | None = None):
    """The versions a user may read: published and superseded; drafts for managers too
    (``may_manage``: whether the user may manage ``org``, when the caller knows it already)."""
    queryset = CatalogueVersion.objects.filter(catalogue__org=org).select_related(
        "catalogue__org", "published_by")
    if not (can(user, Action.MANAGE, org) if may_manage is None else may_manage):
        queryset = queryset.exclude(status=VersionStatus.DRAFT)
    return queryset.order_by("-number")


def version_in(versions: list[CatalogueVersion], number=None) -> CatalogueVersion:
    """``version_or_404`` over the versions already read (``versions_of``): no query."""
    if number in (None, ""):
        version = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    else:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = None
        version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise Http404
    return version


def version_or_404(org: Org, user, number=None) -> CatalogueVersion:
    """The published version, or version ``number`` when the user may read it."""
    queryset = versions_of(org, user)
    if number in (None, ""):
        version = queryset.filter(status=VersionStatus.PUBLISHED).first()
    else:
        try:
            version = queryset.filter(number=int(number)).first()
        except (TypeError, ValueError):
            version = None
    if version is None:
        raise Http404
    return version


def search_terms(term: str) -> list[str]:
    return [normalise(word) for word in (term or "").split() if word]


def search(queryset, term: str):
    """Items whose number, name, other wordings, legal basis or content contain every word.

    A substring match on the normalised ``search_text``: Chinese has no spaces between words,
    so PostgreSQL's word-based full-text search would miss most queries; its trigram index
    (migration 0002) serves this same LIKE, and SQLite runs it without an index, so both
    databases return the same items.
    """
    condition = Q()
    for word in search_terms(term):
        condition &= Q(search_text__contains=word)
    return queryset.filter(condition)


@dataclass
class Section:
    main_duty: MainDuty | None
    items: list[DutyItem] = field(default_factory=list)


def items_of(version: CatalogueVersion, term: str = ""):
    queryset = version.items.select_related("department").order_by("position", "id")
    return search(queryset, term) if term else queryset


def sections(version: CatalogueVersion, term: str = "") -> list[Section]:
    """The version's items grouped by main duty, in catalogue order (two queries)."""
    main_duties = list(version.main_duties.all())
    by_id = {main_duty.pk: Section(main_duty) for main_duty in main_duties}
    loose = Section(None)
    for item in items_of(version, term):
        (by_id.get(item.main_duty_id) or loose).items.append(item)
    result = [loose] if loose.items else []
    result += [by_id[main_duty.pk] for main_duty in main_duties if not term or by_id[main_duty.pk].items]
    return result


def item_or_404_for(org: Org, user, pk: int) -> DutyItem:
    """An item of a version of ``org``'s catalogue that ``user`` may read (``versions_of``).

    Compiled once per process (``compiled_sql``): an item's page reads one, and building the
    query through the ORM cost more than running it."""
    may_manage = can(user, Action.MANAGE, org)

    def build():
        versions = CatalogueVersion.objects.filter(catalogue__org_id=compiled_sql.ORG)
        if not may_manage:
            versions = versions.exclude(status=VersionStatus.DRAFT)
        return (DutyItem.objects.filter(version__in=versions, pk=compiled_sql.PK)
                .select_related("department", "main_duty", "version__catalogue__org").order_by("pk")[:1])

    found = compiled_sql.fetch_instances(("duties.item_or_404_for", may_manage), build, prepared=True,
                                         org=org.pk, pk=pk)
    if not found:
        raise Http404
    return found[0]


def published_version_for(user, code: str) -> CatalogueVersion | None:
    """The published version of org ``code``'s own catalogue, when ``user`` may see that org
    (one query, the org with it): all a cached catalogue PDF reads."""
    def build(gate_user):
        orgs = scope_orgs(Org.objects.filter(code=compiled_sql.CODE), gate_user, Action.VIEW)
        return (CatalogueVersion.objects.filter(catalogue__org__in=orgs, status=VersionStatus.PUBLISHED)
                .select_related("catalogue__org", "published_by")[:1])

    # Compiled once per process (orgs.access.fetch_scoped): building it through the ORM was
    # most of a cached catalogue PDF's CPU.
    found = fetch_scoped(("duties.published_version_for",), build, user, by_key=True, code=code)
    return found[0] if found else None


def prefetch_contents(versions: list[CatalogueVersion]) -> list[CatalogueVersion]:
    """The versions' main duties and items (two queries; none for those already fetched)."""
    prefetch_related_objects(versions, "main_duties", Prefetch(
        "items", queryset=DutyItem.objects.select_related("department").order_by("position", "id")))
    return versions


def subtree_versions(org: Org, user, *, subtree: bool, unscoped: bool = False,
                     prefetch: bool = True) -> list[CatalogueVersion]:
    """The published versions of ``org`` (and, with ``subtree``, every visible org below it),
    in tree order, with their main duties and items prefetched (three queries; one without
    ``prefetch``, for a PDF that may come from the cache: duties.pdf.render_catalogue_pdf).

    ``unscoped`` is for management commands, which run with the operator's full rights."""
    if subtree:
        orgs = _visible_subtree(org, user, unscoped=unscoped)
    else:
        orgs = Org.objects.filter(pk=org.pk)
    versions = list(
        CatalogueVersion.objects.filter(catalogue__org__in=orgs, status=VersionStatus.PUBLISHED)
        .select_related("catalogue__org", "published_by")
        .order_by("catalogue__org__tree_id", "catalogue__org__lft")
    )
    return prefetch_contents(versions) if prefetch else versions


def export_versions(org: Org, user, *, subtree: bool, unscoped: bool = False, prefetch: bool = True):
    """``(subtree, versions)`` an export of ``org`` holds: its published catalogue, or with
    ``subtree`` every visible one below it too.  An org without a catalogue of its own (a
    federation) exports its subtree: its catalogue is the unions' below it."""
    if not subtree:
        own = subtree_versions(org, user, subtree=False, unscoped=unscoped, prefetch=prefetch)
        if own:  # it has a published catalogue of its own
            return False, own
    return True, subtree_versions(org, user, subtree=True, unscoped=unscoped, prefetch=prefetch)


def grouped(version: CatalogueVersion) -> list[Section]:
    """Sections of a version whose main duties and items are prefetched (no query)."""
    by_id = {main_duty.pk: Section(main_duty) for main_duty in version.main_duties.all()}
    loose = Section(None)
    for item in version.items.all():
        (by_id.get(item.main_duty_id) or loose).items.append(item)
    return ([loose] if loose.items else []) + [section for section in by_id.values() if section.items]


# --- what changed between two versions ------------------------------------------------------


@dataclass
class ItemChange:
    key: tuple[str, str]  # (main duty, number)
    old: DutyItem | None
    new: DutyItem | None
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


def _field_text(item: DutyItem, name: str) -> str:
    if name == "department":
        return item.department.name if item.department_id else ""
    if name == "supervision":
        return item.effective_supervision
    value = getattr(item, name)
    return "\n".join(value) if isinstance(value, list) else value


def _keyed(version: CatalogueVersion) -> dict[tuple[str, str], DutyItem]:
    items = version.items.select_related("department", "main_duty").order_by("position", "id")
    return {(item.main_duty.name if item.main_duty_id else "", item.number): item for item in items}


def diff_versions(old: CatalogueVersion, new: CatalogueVersion) -> list[ItemChange]:
    """Items added, removed or changed from ``old`` to ``new``, matched by (main duty, 序号)."""
    before, after = _keyed(old), _keyed(new)
    changes = []
    for key, item in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(ItemChange(key, None, item))
            continue
        fields = [(DutyItem._meta.get_field(name).verbose_name, _field_text(previous, name),
                   _field_text(item, name)) for name in DIFF_FIELDS]
        fields = [entry for entry in fields if entry[1] != entry[2]]
        if fields:
            changes.append(ItemChange(key, previous, item, fields))
    changes += [ItemChange(key, item, None) for key, item in before.items() if key not in after]
    return changes
