"""A service type's page: open to those who see its owner or an org it is offered to, linked
from a case page only when the user may open it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import cases
from services.models import ServiceType
from services.selectors import visible_service_types
from tests.factories import GrantFactory, UserFactory
from tests.kit import assert_hidden, assert_visible, client_for, user_with_role
from tests.services.conftest import member_card_type, on_paper


def _type(owner, code, **extra):
    return ServiceType.objects.create(org=owner, code=code, name=f"{owner.code}-{code}", **extra)


def test_staff_open_the_type_they_applied_for_from_their_case_page(tree):
    """The root owns the type; a1's staff apply for it and follow the link on their case page."""
    card = member_card_type(tree.root)
    staff = user_with_role(tree, "staff")
    case = cases.submit_case(actor=staff, service_type=card, applicant=tree.a1, title="办卡",
                             member_name="张三", paper=on_paper(card))
    client = client_for(staff)
    page = client.get(f"/services/cases/{case.pk}/").content.decode()
    assert f'href="/services/types/{card.pk}/"' in page
    assert_visible(client, f"/services/types/{card.pk}/")


def test_type_pages_follow_the_owner_or_what_is_offered_to_visible_orgs(tree):
    root_type = _type(tree.root, "root")
    a_type = _type(tree.a, "a")
    a1_type = _type(tree.a1, "a1")
    b_type = _type(tree.b, "b")
    inactive = _type(tree.root, "old", is_active=False)
    staff_a1 = user_with_role(tree, "staff")  # sees a1 only
    expected = {
        "staff": {root_type, a_type, a1_type},  # offered to a1; b's type is not
        "clerk": {root_type, a_type, a1_type},  # owner visible, or offered to a / a1 / a2
        "admin": {root_type, a_type, a1_type},
    }
    for role, visible in expected.items():
        user = staff_a1 if role == "staff" else user_with_role(tree, role)
        client = client_for(user)
        for service_type in (root_type, a_type, a1_type, b_type, inactive):
            url = f"/services/types/{service_type.pk}/"
            if service_type in visible:
                assert_visible(client, url)
            else:
                assert_hidden(client, url)
    # An inactive type is offered to nobody: only those who see its owner open it.
    root_admin = UserFactory(username="root-admin")
    GrantFactory(user=root_admin, role="admin", org=tree.root)
    assert_visible(client_for(root_admin), f"/services/types/{inactive.pk}/")


def test_visible_service_types_is_one_query(tree):
    for org in (tree.root, tree.a, tree.b, tree.a1):
        _type(org, "t")
    staff = user_with_role(tree, "staff")
    with CaptureQueriesContext(connection) as queries:
        codes = sorted(t.org.code for t in visible_service_types(staff).select_related("org"))
    assert len(queries) == 1
    assert codes == ["kit", "kit-a", "kit-a-1"]


def test_case_page_does_not_link_a_type_the_user_may_not_open(tree):
    card = member_card_type(tree.root)
    staff = user_with_role(tree, "staff")
    case = cases.submit_case(actor=staff, service_type=card, applicant=tree.a1, title="办卡",
                             member_name="张三", paper=on_paper(card))
    ServiceType.objects.filter(pk=card.pk).update(is_active=False)  # offered no longer
    page = client_for(staff).get(f"/services/cases/{case.pk}/").content.decode()
    assert card.name in page and f"/services/types/{card.pk}/" not in page
