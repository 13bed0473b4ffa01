"""Loading the duty catalogues of the source documents (seed step, idempotent).

- 000: one catalogue per Zhuzhou system union (the heading's name resolves through the
  aliases the org seed stores);
- 001: 天津市河东区总工会, 4 main duties, 14 items with every card field, 4 departments;
- 002: 廊坊市总工会's main duties;
- 004: the street union's eight duty lists, as the sections (main duties) of one catalogue.

An org whose catalogue already has a version is left alone: its content may have been
edited or re-imported since, and the seed never overwrites a user's work.
"""

from django.utils.translation import gettext as _

from duties import services
from duties.content import Catalogue as CatalogueData
from duties.content import DutyItem
from duties.models import Catalogue
from fixtures.hedong_catalogue import parse_hedong
from fixtures.langfang import parse_langfang_duties
from fixtures.street_rules import STREET_ORG_NAME, parse_street_catalogues
from fixtures.zhuzhou_duties import parse_zhuzhou_duties
from orgs.models import Org
from unionportal.actors import SYSTEM
from unionportal.commands import progress

SEED_NOTE = "源文件导入"  # data, the note a seeded version carries


def street_catalogue() -> CatalogueData:
    """Seed 004's duty lists as one catalogue: each list is a section (主要职责) whose items
    keep the list's own numbers, so (单位编码, 主要职责, 序号) stays unique and the import
    format carries the lists as they are."""
    items = []
    for duty_list in parse_street_catalogues():
        items.extend(
            DutyItem(number=item.number, name=item.name, category=duty_list.title)
            for item in duty_list.items
        )
    return CatalogueData(org_name=STREET_ORG_NAME, title=f"{STREET_ORG_NAME}职责清单", items=tuple(items))


def source_catalogues() -> list[CatalogueData]:
    """Every catalogue of the source documents, in document order."""
    return [*parse_zhuzhou_duties(), parse_hedong(), parse_langfang_duties(), street_catalogue()]


def resolve_org(name: str) -> Org:
    matches = list(Org.objects.resolve(name)[:2])
    if len(matches) != 1:
        raise ValueError(f"seed: {name!r} names {len(matches)} organisations")
    return matches[0]


def seed() -> list[str]:
    created = 0
    items = 0
    for content in progress(source_catalogues(), desc="duties"):
        org = resolve_org(content.org_name)
        if Catalogue.objects.filter(org=org, versions__isnull=False).exists():
            continue
        services.create_version(actor=SYSTEM, org=org, content=content, publish=True, note=SEED_NOTE)
        created += 1
        items += len(content.items)
    return [_("Duty catalogues: %(count)d new (%(items)d duty items).")
            % {"count": created, "items": items}]
