"""A small federation for the services tests: a system union and a street union under it,
each with a base union, the seeded service types, and one user per role."""

from dataclasses import dataclass
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fixtures.hedong_catalogue import parse_hedong
from orgs.models import Org, OrgKind
from services import cases
from services.models import ServiceType
from services.seeding import SERVICE_TYPES, define_service_type
from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import scope_tree, user_with_role


@cache
def catalogue():
    return parse_hedong()


@dataclass
class World:
    fed: Org
    system: Org
    street: Org
    base: Org  # under the system union
    street_base: Org  # under the street union
    direct: Org  # directly under the federation
    types: dict[str, ServiceType]
    staff: object  # staff of base
    reviewer: object  # reviewer of the system union
    handler: object  # reviewer of the federation
    street_reviewer: object
    street_staff: object
    clerk: object  # clerk of the federation
    admin: object
    system_staff: object


def make_world() -> World:
    fed = OrgFactory(code="fed", name="测试市总工会", kind=OrgKind.FEDERATION)
    system = OrgFactory(code="fed-sys", name="测试系统工会", kind=OrgKind.SYSTEM, parent=fed)
    street = OrgFactory(code="fed-st", name="测试街道工会", kind=OrgKind.STREET, parent=fed)
    base = OrgFactory(code="fed-sys-a", name="甲公司工会", parent=system)
    street_base = OrgFactory(code="fed-st-a", name="乙公司工会", parent=street)
    direct = OrgFactory(code="fed-a", name="丙公司工会", parent=fed)
    types = {spec.code: define_service_type(owner=fed, spec=spec, catalogue=catalogue())[0]
             for spec in SERVICE_TYPES}

    def user(name, role, org):
        u = UserFactory(username=name)
        GrantFactory(user=u, role=role, org=org)
        return u

    return World(
        fed=fed, system=system, street=street, base=base, street_base=street_base, direct=direct,
        types=types,
        staff=user("staff-a", "staff", base), reviewer=user("rev-sys", "reviewer", system),
        handler=user("rev-fed", "reviewer", fed), street_reviewer=user("rev-st", "reviewer", street),
        street_staff=user("staff-st", "staff", street_base), clerk=user("clerk-fed", "clerk", fed),
        admin=user("admin-fed", "admin", fed), system_staff=user("staff-sys", "staff", system),
    )


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_world()


def on_paper(service_type, day=None) -> dict:
    """The required documents an application of ``service_type`` takes, as delivered on paper
    (the rule: attached, or recorded as delivered on paper with who and when)."""
    import datetime as dt

    from services.documents import PaperDelivery, submission_steps

    steps = submission_steps(list(service_type.steps.order_by("position")))
    return {name: PaperDelivery("交件人", day or dt.date(2026, 1, 5))
            for step in steps for name in step.document_list}


# --- on the permission kit's tree (tests/kit.py) ------------------------------------------------


@pytest.fixture
def tree(db, settings, tmp_path):
    """The kit's tree: root → A (a1, a2), B (b1); files under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return scope_tree()


def member_card_type(owner: Org) -> ServiceType:
    """The seeded 工会会员服务卡办理 type, owned by ``owner``."""
    spec = next(spec for spec in SERVICE_TYPES if spec.code == "member-card")
    return define_service_type(owner=owner, spec=spec, catalogue=catalogue())[0]


@pytest.fixture
def flow(tree):
    """The kit's tree with every seeded type at its root, and who acts on a case there:
    (tree, types, staff of a1, staff of A (建会's applicant), reviewer of A, reviewer of the root)."""
    types = {spec.code: define_service_type(owner=tree.root, spec=spec, catalogue=catalogue())[0]
             for spec in SERVICE_TYPES}
    staff_a1 = UserFactory(username="applicant-a1")
    GrantFactory(user=staff_a1, role="staff", org=tree.a1)
    staff_a = UserFactory(username="staff-a")  # the system union's own staff (建会's applicant)
    GrantFactory(user=staff_a, role="staff", org=tree.a)
    reviewer = user_with_role(tree, "reviewer")  # on the system union A
    handler = UserFactory(username="handler-root")
    GrantFactory(user=handler, role="reviewer", org=tree.root)
    return tree, types, staff_a1, staff_a, reviewer, handler


def card_case(flow, title="会员服务卡申请", **kwargs):
    """A member-card application of a1's staff (its required document on paper)."""
    tree, types, staff_a1, *_rest = flow
    return cases.submit_case(actor=staff_a1, service_type=types["member-card"], applicant=tree.a1,
                             title=title, member_name="张三",
                             paper=on_paper(types["member-card"]), **kwargs)


def pdf_upload(name="意见.pdf", body=b"%PDF-1.4 opinion"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")
