"""A duty item links to the service types that carry out its 运行流程, and back."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from duties.models import DutyItem
from orgs.models import Org
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for

pytestmark = pytest.mark.django_db


def test_item_3_2_links_to_its_card_services_and_back():
    call_command("seed", stdout=io.StringIO(), stderr=io.StringIO())
    hedong = Org.objects.get(code="tj-hd")
    clerk = UserFactory(username="hd-clerk")
    GrantFactory(user=clerk, role="clerk", org=hedong)
    client = client_for(clerk)
    item = DutyItem.objects.get(version__catalogue__org=hedong, version__status="published", number="3.2")
    page = client.get(reverse("duties:item", args=["tj-hd", item.pk])).content.decode()
    assert "会员服务卡" in page and "/services/types/" in page
    plain = DutyItem.objects.get(version__catalogue__org=hedong, version__status="published", number="2.1")
    assert "/services/types/" not in client.get(reverse("duties:item", args=["tj-hd", plain.pk])).content.decode()


def test_service_links_respect_the_scope():
    call_command("seed", stdout=io.StringIO(), stderr=io.StringIO())
    from services.selectors import service_types_for_duties

    hedong = Org.objects.get(code="tj-hd")
    outsider = UserFactory(username="zz-clerk")
    GrantFactory(user=outsider, role="clerk", org=Org.objects.get(code="zz"))
    assert service_types_for_duties(hedong, ["3.2"])["3.2"]
    assert service_types_for_duties(hedong, ["3.2"], outsider) == {}
