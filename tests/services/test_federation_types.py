"""Service types belong to a federation: each federation's unions see only its own types (or
types explicitly shared with it), with steps worded for their own tree; a union whose
federation has no such type is told so."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from orgs.models import OrgKind
from services import cases, selectors
from services.demo_types import seed_zhuzhou_types
from services.models import ServiceType
from services.seeding import SERVICE_TYPES, define_service_type, seed
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import client_for
from tests.services.conftest import catalogue

pytestmark = pytest.mark.django_db

HEDONG_CATALOGUE = "天津市河东区总工会权责清单"


@pytest.fixture
def federations(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    hd = OrgFactory(code="tj-hd", name="天津市河东区总工会", kind=OrgKind.FEDERATION)
    hd_street = OrgFactory(code="tj-hd-jd", name="河东某街道工会", kind=OrgKind.STREET, parent=hd)
    hd_base = OrgFactory(code="tj-hd-jd-a", name="河东某公司工会", parent=hd_street)
    zz = OrgFactory(code="zz", name="株洲市总工会", kind=OrgKind.FEDERATION)
    gzw = OrgFactory(code="zz-gzw", name="株洲市国资委系统工会", kind=OrgKind.SYSTEM, parent=zz)
    zz_base = OrgFactory(code="zz-gzw-gwzgs", name="市港务总公司工会", parent=gzw)
    lf = OrgFactory(code="lf", name="廊坊市总工会", kind=OrgKind.FEDERATION)
    lf_base = OrgFactory(code="lf-gd", name="廊坊供电公司工会", parent=lf)
    seed()
    return {"hd": hd, "hd_base": hd_base, "zz": zz, "gzw": gzw, "zz_base": zz_base, "lf": lf,
            "lf_base": lf_base}


def staff_of(org, name):
    user = UserFactory(username=name)
    GrantFactory(user=user, role="staff", org=org)
    return user


def _texts(service_type) -> str:
    return " ".join([service_type.source, service_type.preamble,
                     *service_type.steps.values_list("name", flat=True)])


def test_hedong_types_belong_to_hedong_and_are_not_offered_elsewhere(federations):
    hedong_types = cases.available_types(federations["hd_base"])
    assert {t.code for t in hedong_types} == {spec.code for spec in SERVICE_TYPES}
    assert all(t.federation == federations["hd"] for t in hedong_types)
    assert not cases.available_types(federations["zz_base"]).exists()
    assert not cases.available_types(federations["lf_base"]).exists()
    staff = staff_of(federations["zz_base"], "zz-staff")
    assert not selectors.visible_service_types(staff).filter(federation=federations["hd"]).exists()


def test_zhuzhou_gets_its_own_types_worded_for_its_tree(federations):
    seed_zhuzhou_types()
    offered = list(cases.available_types(federations["zz_base"]))
    assert offered and all(t.federation == federations["zz"] for t in offered)
    for service_type in offered:
        text = _texts(service_type)
        assert HEDONG_CATALOGUE not in text and "区总工会" not in text and "我区" not in text
    card = next(t for t in offered if t.code == "member-card")
    staff = staff_of(federations["zz_base"], "zz-staff")
    case = cases.submit_case(actor=staff, service_type=card, applicant=federations["zz_base"],
                             title="办卡", member_name="张三",
                             files=[_pdf()], documents={"办卡材料": _pdf()})
    plan = selectors.timeline(case).path
    assert [org.code for org in plan] == ["zz-gzw-gwzgs", "zz-gzw", "zz"]


def test_a_union_whose_federation_has_no_types_is_told_so(federations):
    client = client_for(staff_of(federations["lf_base"], "lf-staff"))
    choose = client.get(reverse("services:apply_choose", kwargs={"code": "lf-gd"}))
    assert "廊坊市总工会尚未设置任何会员服务事项" in choose.content.decode()
    apply = client.get(reverse("services:apply", kwargs={"code": "lf-gd", "type_code": "member-card"}))
    body = apply.content.decode()
    assert apply.status_code == 404
    assert "廊坊市总工会未设置“工会会员服务卡办理”" in body


def test_a_type_shared_explicitly_is_offered_to_the_other_federation(federations):
    card = ServiceType.objects.get(federation=federations["hd"], code="member-card")
    card.shared_with.add(federations["lf"])
    offered = cases.available_types(federations["lf_base"])
    assert list(offered.values_list("code", flat=True)) == ["member-card"]
    assert offered.get().shared is True
    staff = staff_of(federations["lf_base"], "lf-staff")
    assert selectors.visible_service_types(staff).filter(pk=card.pk).exists()
    client = client_for(staff)
    page = client.get(reverse("services:apply_choose", kwargs={"code": "lf-gd"})).content.decode()
    assert "天津市河东区总工会" in page
    assert not cases.available_types(federations["zz_base"]).exists()


def test_migration_gives_the_copies_to_the_federation_whose_catalogue_seeded_them(federations):
    seeded_copy, _created = define_service_type(owner=federations["zz"], spec=SERVICE_TYPES[1],
                                                catalogue=catalogue())
    ServiceType.objects.filter(pk=seeded_copy.pk).update(federation=federations["zz"])
    own = ServiceType.objects.get(org=federations["hd"], code=SERVICE_TYPES[1].code)
    migration = importlib.import_module("services.migrations.0003_service_type_federation")
    migration.assign_federations(apps, None)
    seeded_copy.refresh_from_db()
    own.refresh_from_db()
    assert seeded_copy.federation == federations["hd"] and not seeded_copy.is_active
    assert seeded_copy.code == "member-card-hd"
    assert own.federation == federations["hd"] and own.is_active and own.code == "member-card"
    assert not cases.available_types(federations["zz_base"]).exists()


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                              content_type="application/pdf")
