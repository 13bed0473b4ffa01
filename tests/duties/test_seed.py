"""Seed fidelity: every duty of the source documents, as written, in document order."""

import io

from django.core.management import call_command

from duties.models import CatalogueVersion, DutyItem, VersionStatus
from duties.seeding import SEED_NOTE
from unionportal.models import AuditEntry

ZHUZHOU_COUNTS = [("zz-szjg", 9), ("zz-jy", 9), ("zz-sw", 10), ("zz-ws", 9), ("zz-zj", 10), ("zz-gd", 9),
                  ("zz-jt", 10), ("zz-ga", 8), ("zz-gzw", 12), ("zz-ls", 10), ("zz-gx", 11), ("zz-jr", 9)]


def published(code):
    return CatalogueVersion.objects.get(catalogue__org__code=code, status=VersionStatus.PUBLISHED)


def test_zhuzhou_counts_per_union_in_document_order(seeded):
    versions = (CatalogueVersion.objects.filter(catalogue__org__parent__code="zz", status="published")
                .order_by("catalogue__org__lft"))
    assert [(v.catalogue.org.code, v.items.count()) for v in versions] == ZHUZHOU_COUNTS
    assert sum(count for _code, count in ZHUZHOU_COUNTS) == 116
    jy = list(published("zz-jy").items.order_by("position"))
    assert [item.number for item in jy] == [str(n) for n in range(1, 10)]
    assert jy[6].name == "做好女职工工作，维护女职工合法权益。"
    assert published("zz-ga").items.get(number="6").name == "做好女干警工作，维护女干警合法权益。"
    assert published("zz-ws").catalogue.title == "卫生系统工会工作职责"


def test_hedong_main_duties_items_departments_and_every_card_field(seeded):
    version = published("tj-hd")
    assert version.title == "天津市河东区总工会权责清单"
    assert [(m.number, m.name) for m in version.main_duties.all()][0] == (
        "1", "指导基层工会的组织发展和建设、负责全区工会干部培训")
    assert version.main_duties.count() == 4 and version.items.count() == 14
    departments = {d.name: d.supervision for d in version.departments.all()}
    assert list(departments) == ["组织部", "民主管理部", "权益保障部", "宣传教育部"]
    assert departments["组织部"].startswith("监督电话：24316932")
    item = version.items.select_related("department", "main_duty").get(number="1.1")
    assert item.name == "指导基层工会的组织发展和建设工作"
    assert item.legal_basis == ["《工会法》", "《中国工会章程》"]
    assert item.department.name == "组织部" and item.boundary == "区总工会"
    assert item.workflows[0]["steps"] == [
        "成立工会筹备组（提出建会申请，报上一级工会批准）", "宣传动员，登记、发展工会会员", "建立分工会或工会小组",
        "选举产生会员代表", "酝酿产生工会委员、经费审查委员、女工委员候选人建议名单",
        "召开工会会员大会或会员代表大会选举工会委员会、经费审查委员会和女职工委员会",
        "召开工会委员会、经费审查委员会和女职工委员会选举工会主席、副主席、经审主任、女工主任",
        "选举结果报上一级工会批准", "凭上一级工会批复，办理相关手续",
    ]
    assert item.documents == ["建会申请", "上级工会批复", "选举结果报告", "上级批复"]
    assert item.responsibilities[1] == "各基层工会建会信息及时录入数据库；"
    # 监督方式 is kept once per department, not copied into the items.
    assert item.supervision == "" and item.effective_supervision == departments["组织部"]
    assert not DutyItem.objects.filter(version=version).exclude(supervision="").exists()
    two_flows = version.items.get(number="3.2")
    assert [flow["title"] for flow in two_flows.workflows] == ["办理程序", "年审程序"]
    assert "bookmark" not in version.items.get(number="2.2").workflow_text


def test_langfang_and_street_union(seeded):
    assert published("lf").items.count() == 8
    street = published("xx-jd")
    sections = [(m.name, m.items.count()) for m in street.main_duties.all()]
    assert len(sections) == 8 and sum(count for _name, count in sections) == 73
    assert sections[1] == ("XX街道工会工作委员会工会主席岗位职责", 10)
    women = street.main_duties.get(name="XX街道工会工作委员会女职工委员会岗位职责")
    assert [item.number for item in women.items.order_by("position")] == ["1", "2", "3", "4", "6", "7", "8", "9"]


def test_seed_is_idempotent(seeded):
    before = CatalogueVersion.objects.count(), DutyItem.objects.count()
    out = io.StringIO()
    call_command("seed", stdout=out)
    assert (CatalogueVersion.objects.count(), DutyItem.objects.count()) == before


def test_the_seed_publishes_as_the_system(seeded):
    """Seeding acts as the system actor: its versions are published by the system, audited as
    such (never as nobody)."""
    versions = CatalogueVersion.objects.filter(note=SEED_NOTE)
    assert versions.count() == 15 and not versions.exclude(published_by=None).exists()
    entries = AuditEntry.objects.filter(action="duties.version.publish",
                                        object_id__in=[str(pk) for pk in versions.values_list("pk", flat=True)])
    assert entries.count() == 15
    assert all(entry.by_system and entry.actor is None for entry in entries)
