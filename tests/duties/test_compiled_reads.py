"""A duty item's page reads compiled once per process (``compiled_sql``, ``fetch_scoped``): the
item (``selectors.item_or_404_for``) and the service types that carry it out
(``service_types_for_duty``).  For every role they answer exactly what the ORM's own querysets
answer: drafts for managers only, the item with its related objects, the types the user may
open in their order; and one user's compiled text never answers for another."""

import pytest
from django.http import Http404

from duties import selectors
from duties.models import DutyItem
from services.models import ServiceType
from services.selectors import service_types_for_duties, service_types_for_duty
from tests.duties.helpers import plain_catalogue
from tests.kit import EVERYONE, scope_tree, user_of

pytestmark = pytest.mark.django_db


def _reference_items(org, user) -> dict:
    """The ORM's read the compiled one replaced (``filter(pk=pk).first()``), for every pk at once."""
    return {item.pk: item for item in DutyItem.objects.filter(version__in=selectors.versions_of(org, user))
            .select_related("department", "main_duty", "version__catalogue__org")}


def _fields(item) -> tuple:
    return (item.pk, item.number, item.name, item.version.pk, item.version.number, item.version.status,
            item.version.catalogue.org.code, item.main_duty_id, item.department_id)


@pytest.fixture
def tree():
    tree = scope_tree()
    for org in (tree.a, tree.a1):
        plain_catalogue(org, 2)  # published
        plain_catalogue(org, 3, publish=False)  # a draft on top
    return tree


@pytest.mark.parametrize("role", EVERYONE)
def test_the_compiled_item_is_the_orms_item_for_every_role(tree, role):
    user = user_of(tree, role)
    items = list(DutyItem.objects.all())
    assert any(item.version.status == "draft" for item in items)
    for org in (tree.a, tree.a1, tree.b):
        reference = _reference_items(org, user)
        for pk in [item.pk for item in items] + [10**9, 2**63]:  # another org's, none, beyond any id
            expected = reference.get(pk)
            try:
                found = selectors.item_or_404_for(org, user, pk)
            except Http404:
                assert expected is None, (role, org.code, pk)
                continue
            assert _fields(found) == _fields(expected), (role, org.code, pk)


def test_a_managers_drafts_never_answer_for_a_reader(tree):
    admin, reader = user_of(tree, "admin"), user_of(tree, "reviewer")
    draft = DutyItem.objects.filter(version__catalogue__org=tree.a1, version__status="draft").first()
    assert selectors.item_or_404_for(tree.a1, admin, draft.pk).pk == draft.pk
    with pytest.raises(Http404):  # the same process, the compiled text without drafts
        selectors.item_or_404_for(tree.a1, reader, draft.pk)


@pytest.mark.parametrize("role", EVERYONE)
def test_the_compiled_service_types_are_the_orms_for_every_role(tree, role):
    user = user_of(tree, role)
    offered = ServiceType.objects.create(org=tree.root, code="card", name="办卡", duty_org=tree.a1, duty_number="1")
    ServiceType.objects.create(org=tree.a, code="a-card", name="甲办卡", duty_org=tree.a1, duty_number="1",
                               position=1)
    ServiceType.objects.create(org=tree.b, code="other", name="乙的服务", duty_org=tree.a1, duty_number="1")
    ServiceType.objects.create(org=tree.root, code="old", name="停办", duty_org=tree.a1, duty_number="1",
                               is_active=False)
    ServiceType.objects.create(org=tree.root, code="two", name="二", duty_org=tree.a1, duty_number="2")
    assert offered in service_types_for_duties(tree.a1, ["1"])["1"]
    for org in (tree.a, tree.a1, tree.b1):
        for number in ("1", "2", "3"):
            expected = service_types_for_duties(org, [number], user).get(number, [])
            assert service_types_for_duty(org, number, user) == expected, (role, org.code, number)
