"""The routing rule: a step names a kind (or the applicant); nearest ancestor of that kind,
else the root of the applicant's tree."""

from services.models import Actor
from services.routing import plan, route
from tests.factories import OrgFactory


def test_base_union_under_a_system_union(world):
    ancestors = list(world.base.get_ancestors())
    assert route(Actor.APPLICANT, world.base, ancestors) == world.base
    assert route(Actor.SUPERIOR, world.base, ancestors) == world.system
    assert route(Actor.SYSTEM, world.base, ancestors) == world.system
    assert route(Actor.FEDERATION, world.base, ancestors) == world.fed
    assert route(Actor.STREET, world.base, ancestors) == world.fed  # none: the root


def test_base_union_under_a_street_union(world):
    ancestors = list(world.street_base.get_ancestors())
    assert route(Actor.SUPERIOR, world.street_base, ancestors) == world.street
    assert route(Actor.STREET, world.street_base, ancestors) == world.street
    assert route(Actor.SYSTEM, world.street_base, ancestors) == world.fed  # root fallback
    assert route(Actor.FEDERATION, world.street_base, ancestors) == world.fed


def test_base_union_directly_under_the_federation_goes_to_the_root(world):
    assert route(Actor.SUPERIOR, world.direct, list(world.direct.get_ancestors())) == world.fed


def test_nearest_ancestor_of_the_kind_wins(world):
    # A district federation inside a city federation: the district one is nearer.
    district = OrgFactory(code="fed-qu", name="测试区总工会", kind="federation", parent=world.fed)
    sub = OrgFactory(code="fed-qu-sys", name="区系统工会", kind="system", parent=district)
    base = OrgFactory(code="fed-qu-sys-a", name="区甲工会", parent=sub)
    ancestors = list(base.get_ancestors())
    assert route(Actor.FEDERATION, base, ancestors) == district
    assert route(Actor.SUPERIOR, base, ancestors) == sub
    assert route(Actor.BASE, base, ancestors) == world.fed  # no base ancestor: the root


def test_a_root_routes_to_itself(world):
    assert route(Actor.FEDERATION, world.fed, []) == world.fed


def test_member_card_path_for_each_kind_of_base_union(world):
    steps = list(world.types["member-card"].steps.all())
    assert [org.code for _s, org in plan(steps, world.base)] == [
        "fed-sys-a", "fed-sys-a", "fed-sys", "fed", "fed"]
    assert [org.code for _s, org in plan(steps, world.street_base)] == [
        "fed-st-a", "fed-st-a", "fed-st", "fed", "fed"]
