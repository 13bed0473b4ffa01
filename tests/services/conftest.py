"""A small federation for the services tests: a system union and a street union under it,
each with a base union, the seeded service types, and one user per role."""

from dataclasses import dataclass
from functools import cache

import pytest

from fixtures.hedong_catalogue import parse_hedong
from orgs.models import Org, OrgKind
from services.models import ServiceType
from services.seeding import SERVICE_TYPES, define_service_type
from tests.factories import GrantFactory, OrgFactory, UserFactory


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
