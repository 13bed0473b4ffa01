"""Comparing the published catalogues of a federation's system unions, theme by theme."""

from dataclasses import dataclass, field

from duties.models import CatalogueVersion, DutyItem, VersionStatus
from duties.themes import THEMES, Theme, themes_of
from orgs.access import Action, scope_orgs
from orgs.models import Org


@dataclass
class Wording:
    text: str
    uses: list[tuple[CatalogueVersion, DutyItem]] = field(default_factory=list)


@dataclass
class ThemeRow:
    theme: Theme
    cells: list[list[DutyItem]]  # one list per compared union, in column order
    wordings: list[Wording]

    @property
    def coverage(self) -> int:
        return sum(1 for cell in self.cells if cell)

    def status(self, total: int) -> str:
        if self.coverage == total:
            return "all"
        return "unique" if self.coverage == 1 else "some"


@dataclass
class Comparison:
    federation: Org
    versions: list[CatalogueVersion]  # one column per union
    rows: list[ThemeRow]
    unthemed: list[tuple[CatalogueVersion, DutyItem]]

    @property
    def columns(self) -> list[tuple[CatalogueVersion, str]]:
        """Each compared version with a short column label (株洲市教育系统工会 → 教育)."""
        prefix = self.federation.name.removesuffix("总工会")
        result = []
        for version in self.versions:
            org = version.catalogue.org
            label = org.name.removeprefix(prefix)
            for suffix in ("系统工会", "工会工作委员会", "工会委员会"):
                label = label.removesuffix(suffix)
            label = org.short_name or label or org.name
            result.append((version, label))
        return result

    @property
    def shared_by_all(self) -> list[ThemeRow]:
        return [row for row in self.rows if row.status(len(self.versions)) == "all"]

    @property
    def shared_by_some(self) -> list[ThemeRow]:
        return [row for row in self.rows if row.status(len(self.versions)) == "some"]

    @property
    def unique(self) -> list[ThemeRow]:
        return [row for row in self.rows if row.status(len(self.versions)) == "unique"]


def _key(text: str) -> str:
    """Wordings that differ only in punctuation at the end are one wording."""
    return text.strip().rstrip("。；;，,")


def compare_children(federation: Org, user) -> Comparison:
    """The published catalogues of the visible orgs directly below ``federation`` (two queries)."""
    children = scope_orgs(federation.get_children(), user, Action.VIEW)
    versions = list(
        CatalogueVersion.objects.filter(catalogue__org__in=children, status=VersionStatus.PUBLISHED)
        .select_related("catalogue__org")
        .prefetch_related("items")
        .order_by("catalogue__org__lft")
    )
    rows = {theme.key: ThemeRow(theme, [[] for _ in versions], []) for theme in THEMES}
    wordings: dict[str, dict[str, Wording]] = {theme.key: {} for theme in THEMES}
    unthemed = []
    for column, version in enumerate(versions):
        for item in version.items.all():
            themes = themes_of(item.name)
            if not themes:
                unthemed.append((version, item))
            for theme in themes:
                rows[theme.key].cells[column].append(item)
                wording = wordings[theme.key].setdefault(_key(item.name), Wording(item.name))
                wording.uses.append((version, item))
    result = []
    for theme in THEMES:
        row = rows[theme.key]
        if row.coverage:
            row.wordings = sorted(wordings[theme.key].values(), key=lambda w: -len(w.uses))
            result.append(row)
    return Comparison(federation=federation, versions=versions, rows=result, unthemed=unthemed)
