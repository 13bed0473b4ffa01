"""The printed duty catalogue: context for ``templates/duties/pdf/catalogue.html``.

The shared renderer (``unionportal.pdf``) does the rest: fonts, fetcher, cache.
"""

from dataclasses import dataclass

from django.utils import timezone

from duties import selectors
from duties.models import CatalogueVersion
from orgs.models import Org
from unionportal.pdf import render_pdf

TEMPLATE = "duties/pdf/catalogue.html"


@dataclass
class PrintedOrg:
    version: CatalogueVersion
    sections: list[selectors.Section]
    cards: list  # items printed as the official duty card
    with_department: bool
    count: int

    @property
    def org(self) -> Org:
        return self.version.catalogue.org

    @property
    def version_label(self) -> str:
        published = timezone.localtime(self.version.published_at).date() if self.version.published_at else ""
        return f"{self.org.name} 第 {self.version.number} 版 {published}".strip()


def printed(version: CatalogueVersion) -> PrintedOrg:
    sections = selectors.grouped(version)
    items = [item for section in sections for item in section.items]
    return PrintedOrg(
        version=version,
        sections=sections,
        cards=[item for item in items if item.has_card],
        with_department=any(item.department_id for item in items),
        count=len(items),
    )


def catalogue_context(root: Org, versions: list[CatalogueVersion], *, subtree: bool) -> dict:
    entries = [printed(version) for version in versions]
    if subtree:
        title = f"{root.name}及所属单位工作职责"
        footer = ""
    else:
        title = versions[0].title
        footer = entries[0].version_label
    return {
        "root": root,
        "title": title,
        "entries": entries,
        "subtree": subtree,
        "contents": subtree,
        "footer_version": footer,
        "total": sum(entry.count for entry in entries),
    }


def render_catalogue_pdf(root: Org, versions: list[CatalogueVersion], *, subtree: bool) -> bytes:
    return render_pdf(TEMPLATE, catalogue_context(root, versions, subtree=subtree))
