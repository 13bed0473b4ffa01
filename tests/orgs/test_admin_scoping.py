"""The admin goes through the same gate: changelist, change view, history, delete, autocomplete,
FK choices, filters, import and export."""

import pytest
from django.urls import reverse

from orgs.models import Grant
from tests.kit import ROLES, assert_hidden, assert_visible, client_for, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_scoped(tree):
    user = user_with_role(tree, "admin")
    return client_for(user)


def change_url(org):
    return reverse("admin:orgs_org_change", args=[org.pk])


def test_admin_change_history_delete_views_scoped(tree, admin_client_scoped):
    for org in tree.inside("admin"):
        assert_visible(admin_client_scoped, change_url(org))
        assert_visible(admin_client_scoped, reverse("admin:orgs_org_history", args=[org.pk]))
    for org in tree.outside("admin"):
        assert_hidden(admin_client_scoped, change_url(org))
        assert_hidden(admin_client_scoped, reverse("admin:orgs_org_history", args=[org.pk]))
        assert_hidden(admin_client_scoped, reverse("admin:orgs_org_delete", args=[org.pk]))


def test_admin_changelist_lists_only_subtree(tree, admin_client_scoped):
    page = admin_client_scoped.get(reverse("admin:orgs_org_changelist")).content.decode()
    for org in tree.inside("admin"):
        assert org.name in page
    for org in tree.outside("admin"):
        assert org.name not in page


def test_autocomplete_offers_only_subtree(tree, admin_client_scoped):
    url = reverse("admin:autocomplete")
    params = {"app_label": "orgs", "model_name": "grant", "field_name": "org", "term": "工会"}
    results = admin_client_scoped.get(url, params).json()["results"]
    names = {item["text"] for item in results}
    assert names == {org.name for org in tree.inside("admin")}
    params["term"] = tree.b1.name
    assert admin_client_scoped.get(url, params).json()["results"] == []


def test_fk_choices_and_filters_only_subtree(tree, admin_client_scoped):
    user = Grant.objects.get(role="admin").user
    Grant.objects.create(user=user, role="clerk", org=tree.a2)
    page = admin_client_scoped.get(reverse("admin:orgs_grant_add")).content.decode()
    assert tree.b.name not in page
    changelist = admin_client_scoped.get(reverse("admin:orgs_grant_changelist")).content.decode()
    assert tree.b.name not in changelist and tree.root.name not in changelist


def test_grants_outside_scope_are_hidden(tree, admin_client_scoped):
    other = user_with_role(tree, "clerk", username="other-clerk")
    grant_b = Grant.objects.create(user=other, role="clerk", org=tree.b)
    assert_hidden(admin_client_scoped, reverse("admin:orgs_grant_change", args=[grant_b.pk]))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_other_roles_cannot_enter_the_admin(tree, role):
    client = client_for(user_with_role(tree, role))
    # Signed in, but the role does not open the admin: refused, not bounced to sign-in.
    assert client.get(reverse("admin:orgs_org_change", args=[tree.a.pk])).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(reverse("admin:login")).status_code == 403


def test_admin_sends_anonymous_users_to_the_portal_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")
    assert response.status_code == 200


def test_import_and_export_are_the_gates_to_open(tree):
    """Whoever the gate lets manage some org imports and exports (scoped); no Django model
    permission is involved, so an admin grant is enough and a reviewer is refused."""
    reviewer = client_for(user_with_role(tree, "reviewer"))
    assert reviewer.get(reverse("admin:orgs_org_import")).status_code == 403
    assert reviewer.get(reverse("admin:orgs_org_export")).status_code == 403
    client = client_for(user_with_role(tree, "admin"))
    assert client.get(reverse("admin:orgs_org_import")).status_code == 200
    assert client.get(reverse("admin:orgs_org_export")).status_code == 200  # the format form
    response = client.post(reverse("admin:orgs_org_export"), {"format": "1"})  # csv
    body = response.content.decode("utf-8-sig")
    assert tree.a1.code in body and tree.b.code not in body


def test_admin_import_cannot_reach_outside_scope(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(user_with_role(tree, "admin"))
    content = "编码,名称,上级编码,类型\nkit-b-9,乙九工会,kit-b,基层工会\n".encode()
    response = client.post(reverse("admin:orgs_org_import"),
                           {"import_file": SimpleUploadedFile("o.csv", content)})
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode()  # the UI's wording; the command line says "row 2"
    assert not tree.b.get_children().filter(code="kit-b-9").exists()


def test_admin_edit_conflict_tells_the_second_writer(tree, admin_client_scoped):
    url = change_url(tree.a1)
    form = {
        "code": tree.a1.code, "name": "甲一（改）", "kind": "base", "parent": tree.a.pk,
        "is_active": "on", "loaded_version": tree.a1.version,
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
    }
    first = admin_client_scoped.post(url, form)
    assert first.status_code == 302
    second = admin_client_scoped.post(url, {**form, "name": "甲一（另改）"})
    assert second.status_code == 200  # the form comes back with the user's text and the conflict
    body = second.content.decode()
    assert "甲一（另改）" in body
    tree.a1.refresh_from_db()
    assert tree.a1.name == "甲一（改）"


def test_deleting_an_org_with_children_is_refused(tree, admin_client_scoped):
    response = admin_client_scoped.post(reverse("admin:orgs_org_delete", args=[tree.a.pk]), {"post": "yes"})
    assert response.status_code == 200  # the confirmation page lists what protects it
    assert tree.a1.name in response.content.decode()
    assert type(tree.a).objects.filter(pk=tree.a.pk).exists()


def test_a_subtree_admin_must_place_new_orgs_inside_the_subtree(tree, admin_client_scoped):
    form = {"code": "kit-new", "name": "新工会", "kind": "base", "is_active": "on",
            "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}
    response = admin_client_scoped.post(reverse("admin:orgs_org_add"), form)
    assert response.status_code == 200  # parent is required: the form comes back
    response = admin_client_scoped.post(reverse("admin:orgs_org_add"), {**form, "parent": tree.b.pk})
    assert response.status_code == 200  # outside the subtree: not a valid choice
    response = admin_client_scoped.post(reverse("admin:orgs_org_add"), {**form, "parent": tree.a.pk})
    assert response.status_code == 302
    assert tree.a.get_children().filter(code="kit-new").exists()


def test_an_org_admin_cannot_take_over_an_account_that_also_works_elsewhere(tree):
    from django.contrib.auth import get_user_model

    admin_a = user_with_role(tree, "admin")
    boss = user_with_role(tree, "clerk", username="root-admin")
    Grant.objects.create(user=boss, role="admin", org=tree.root)  # works above A as well
    client = client_for(admin_a)
    # The account is not offered, cannot be granted a role, and its pages answer 404.
    response = client.post(reverse("admin:orgs_grant_add"), {"user": boss.pk, "role": "staff", "org": tree.a1.pk})
    assert response.status_code == 200  # the form comes back: not a valid choice
    assert not Grant.objects.filter(user=boss, org=tree.a1).exists()
    assert_hidden(client, reverse("admin:auth_user_change", args=[boss.pk]))
    assert_hidden(client, reverse("admin:auth_user_password_change", args=[boss.pk]))
    response = client.post(reverse("admin:auth_user_password_change", args=[boss.pk]),
                           {"password1": "Taken-over-123", "password2": "Taken-over-123"})
    assert response.status_code == 404
    boss.refresh_from_db()
    assert boss.check_password("pw-for-tests-1")
    assert get_user_model().objects.filter(pk=boss.pk, is_active=True).exists()


def test_an_org_admin_manages_accounts_wholly_in_the_subtree_with_an_audit(tree):
    from unionportal.models import AuditEntry

    admin_a = user_with_role(tree, "admin")
    clerk = user_with_role(tree, "clerk", username="a-clerk")
    client = client_for(admin_a)
    response = client.post(reverse("admin:auth_user_change", args=[clerk.pk]), {
        "username": "a-clerk", "first_name": "小", "last_name": "李", "email": "li@example.org",
        "is_active": "on", "last_login": "", "date_joined": "2026-01-01 00:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.after["email"] == "li@example.org" and entry.actor == admin_a
    response = client.post(reverse("admin:auth_user_password_change", args=[clerk.pk]),
                           {"password1": "New-pass-4567", "password2": "New-pass-4567", "usable_password": "true"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="user.password", object_id=str(clerk.pk)).exists()


def test_an_org_admin_can_edit_the_org_it_was_granted(tree, admin_client_scoped):
    form = {
        "code": tree.a.code, "name": "甲系统工会（新名）", "kind": "system", "is_active": "on",
        "loaded_version": tree.a.version, "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
    }
    response = admin_client_scoped.post(change_url(tree.a), form)
    assert response.status_code == 302
    tree.a.refresh_from_db()
    assert tree.a.name == "甲系统工会（新名）" and tree.a.parent == tree.root
