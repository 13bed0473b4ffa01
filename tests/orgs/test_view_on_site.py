"""The admin's "view on site" (/admin/r/<content type>/<pk>/) goes through the scoping gate:
outside the user's scope it answers exactly like an object that does not exist."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from assessment import services as assessment_services
from services import cases
from services.seeding import SERVICE_TYPES, define_service_type
from tests.assessment.conftest import make_template
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for, scope_tree, user_with_role
from tests.services.conftest import catalogue, on_paper
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def view_on_site(obj) -> str:
    content_type = ContentType.objects.get_for_model(type(obj))
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


def missing(obj) -> str:
    content_type = ContentType.objects.get_for_model(type(obj))
    return reverse("admin:view_on_site", args=[content_type.pk, 987654])


def page_body(response, url) -> str:
    # The CSRF token is masked afresh on every response and the language menu returns to the
    # requested address; everything else must be identical.
    return CSRF_VALUE.sub("", response.content.decode()).replace(url, "<requested>")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = scope_tree()
    make_template(tree.a)
    make_template(tree.b)
    round_a = assessment_services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round
    round_b = assessment_services.open_round(actor=SYSTEM, assessor=tree.b, year=2026).round
    member_card = next(
        define_service_type(owner=tree.root, spec=spec, catalogue=catalogue())[0]
        for spec in SERVICE_TYPES if spec.code == "member-card")
    submitted = {}
    for org in (tree.a1, tree.b1):
        applicant = UserFactory(username=f"applicant-{org.code}")
        GrantFactory(user=applicant, role="staff", org=org)
        submitted[org.code] = cases.submit_case(
            actor=applicant, service_type=member_card, applicant=org, title="申请",
            member_name="张三", paper=on_paper(member_card))  # its required document, on paper
    inside = [tree.a, tree.a1, round_a.sheets.get(org=tree.a1), submitted[tree.a1.code]]
    outside = [tree.root, tree.b, tree.b1, round_b.sheets.get(org=tree.b1), submitted[tree.b1.code]]
    return tree, inside, outside


def test_view_on_site_redirects_inside_the_scope(world):
    tree, inside, _outside = world
    client = client_for(user_with_role(tree, "admin"))
    for obj in inside:
        response = client.get(view_on_site(obj))
        assert response.status_code == 302, view_on_site(obj)
        assert response["Location"].endswith(obj.get_absolute_url())


def test_view_on_site_outside_the_scope_is_a_plain_404(world):
    tree, _inside, outside = world
    client = client_for(user_with_role(tree, "admin"))
    for obj in outside:
        response = client.get(view_on_site(obj))
        assert response.status_code == 404, view_on_site(obj)
        assert "Location" not in response
        not_there = client.get(missing(obj))
        assert not_there.status_code == 404
        assert page_body(response, view_on_site(obj)) == page_body(not_there, missing(obj))
        # Nothing names the object or where it lives.
        body = response.content.decode()
        assert str(obj) not in body
        assert obj.get_absolute_url() not in body


def test_view_on_site_for_an_unknown_content_type_is_a_404(world):
    tree, _inside, _outside = world
    client = client_for(user_with_role(tree, "admin"))
    assert client.get(reverse("admin:view_on_site", args=[987654, 1])).status_code == 404
    assert client.get("/admin/r/not-a-number/1/").status_code == 404


def test_superuser_reaches_every_object(world):
    _tree, inside, outside = world
    client = client_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    for obj in inside + outside:
        response = client.get(view_on_site(obj))
        assert response.status_code == 302
        assert response["Location"].endswith(obj.get_absolute_url())
