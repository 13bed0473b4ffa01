"""The printed duty catalogue: context for ``templates/duties/pdf/catalogue.html``.

The shared renderer (``unionportal.pdf``) does the rest: fonts, fetcher, cache.
"""

from dataclasses import dataclass

from django.utils import timezone

from duties import selectors
from duties.models import CatalogueVersion, VersionStatus
from orgs.models import Org
from unionportal.pdf import render_pdf, render_pdf_for

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


def catalogue_data_key(root: Org, versions: list[CatalogueVersion]) -> str:
    """What a catalogue's PDF prints, by version: a published version never changes (duties.services
    edits drafts only; its items, main duties and departments with it), the orgs by their
    ``updated_at``, and the footer's print date by the day."""
    parts = ["catalogue", root.pk, root.name, root.code, root.updated_at.isoformat(), timezone.localdate().isoformat()]
    for version in versions:
        org = version.catalogue.org
        parts += [version.pk, version.number, version.status, version.title,
                  version.published_at.isoformat() if version.published_at else "",
                  org.pk, org.name, org.code, org.updated_at.isoformat()]
    return ":".join(str(part) for part in parts)


def render_catalogue_pdf(root: Org, versions: list[CatalogueVersion], *, subtree: bool) -> bytes:
    """The catalogue's PDF; one org's published catalogue is looked up by the version of its data
    first (a cached download renders no HTML), anything else by its rendered HTML."""
    if subtree or any(version.status != VersionStatus.PUBLISHED for version in versions):
        return render_pdf(TEMPLATE, catalogue_context(root, selectors.prefetch_contents(versions), subtree=subtree))
    return render_pdf_for(TEMPLATE, catalogue_data_key(root, versions), lambda: catalogue_context(
        root, selectors.prefetch_contents(versions), subtree=False))
