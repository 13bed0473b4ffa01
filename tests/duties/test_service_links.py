"""A duty item links to the service types that carry out its 运行流程, and back."""


import pytest
from django.urls import reverse

from duties.models import DutyItem
from orgs.models import Org
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for

pytestmark = pytest.mark.django_db


def test_item_3_2_links_to_its_card_services_and_back(seeded):
    hedong = Org.objects.get(code="tj-hd")
    clerk = UserFactory(username="hd-clerk")
    GrantFactory(user=clerk, role="clerk", org=hedong)
    client = client_for(clerk)
    item = DutyItem.objects.get(version__catalogue__org=hedong, version__status="published", number="3.2")
    page = client.get(reverse("duties:item", args=["tj-hd", item.pk])).content.decode()
    assert "会员服务卡" in page and "/services/types/" in page
    plain = DutyItem.objects.get(version__catalogue__org=hedong, version__status="published", number="2.1")
    assert "/services/types/" not in client.get(reverse("duties:item", args=["tj-hd", plain.pk])).content.decode()


def test_service_links_respect_the_scope(seeded):
    from services.selectors import service_types_for_duties

    hedong = Org.objects.get(code="tj-hd")
    outsider = UserFactory(username="zz-clerk")
    GrantFactory(user=outsider, role="clerk", org=Org.objects.get(code="zz"))
    assert service_types_for_duties(hedong, ["3.2"])["3.2"]
    assert service_types_for_duties(hedong, ["3.2"], outsider) == {}


def test_staff_see_the_types_their_federation_offers_for_their_own_duty_items():
    """A type owned by the federation above carries out the base union's item: its staff (who
    see only their own union) get the link, and the link opens."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services.models import ServiceType
    from services.selectors import service_types_for_duties
    from tests.duties.helpers import plain_catalogue
    from tests.kit import scope_tree, user_with_role

    tree = scope_tree()
    version = plain_catalogue(tree.a1, 2)
    offered = ServiceType.objects.create(org=tree.root, code="card", name="办卡", duty_org=tree.a1,
                                         duty_number="1")
    ServiceType.objects.create(org=tree.b, code="other", name="乙的服务", duty_org=tree.a1,
                               duty_number="1")  # not offered to a1: hidden
    staff = user_with_role(tree, "staff")
    with CaptureQueriesContext(connection) as queries:
        found = service_types_for_duties(tree.a1, ["1", "2"], staff)
    assert len(queries) == 1
    assert found == {"1": [offered]}
    client = client_for(staff)
    item = version.items.get(number="1")
    page = client.get(reverse("duties:item", args=[tree.a1.code, item.pk])).content.decode()
    assert f"/services/types/{offered.pk}/" in page and "乙的服务" not in page
    assert client.get(f"/services/types/{offered.pk}/").status_code == 200


def test_the_item_page_shows_a_service_type_linked_in_the_admin_on_its_next_view(rf):
    """The item page's reads are kept until a catalogue or a service type is written
    (duties/views.py): a type the admin saves, or takes off, shows on the very next view."""
    from django.contrib.admin.sites import site

    from services.admin import ServiceTypeAdmin
    from services.models import ServiceType
    from tests.duties.helpers import plain_catalogue
    from tests.kit import scope_tree, user_with_role

    tree = scope_tree()
    version = plain_catalogue(tree.a1, 1)
    client = client_for(user_with_role(tree, "staff"))
    url = reverse("duties:item", args=[tree.a1.code, version.items.get(number="1").pk])
    assert "办会员卡" not in client.get(url).content.decode()
    admin_user = UserFactory(username="root", is_superuser=True, is_staff=True)
    request = rf.post("/admin/")
    request.user = admin_user
    type_admin = ServiceTypeAdmin(ServiceType, site)
    offered = ServiceType(org=tree.root, code="card", name="办会员卡", duty_org=tree.a1, duty_number="1")
    type_admin.save_model(request, offered, form=None, change=False)
    assert "办会员卡" in client.get(url).content.decode()
    offered.is_active = False
    type_admin.save_model(request, offered, form=None, change=True)
    assert "办会员卡" not in client.get(url).content.decode()
