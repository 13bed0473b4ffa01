"""import_duties against an open draft: a publishing import refuses (exit 1, nothing written,
the dry run says the same), a draft import replaces the draft with a warning; the service
refuses to publish over a draft instead of breaking the one-draft constraint."""


import pytest
from django.urls import reverse

from duties import exchange, services
from duties.models import CatalogueVersion, DutyItem
from tests.commands import run_command
from tests.duties.helpers import plain_catalogue
from tests.kit import client_for, scope_tree, user_with_role
from unionportal.models import AuditEntry
from unionportal.tabular import write_table

HEADERS = ["单位编码", "主要职责", "序号", "名称"]


def run(*args):
    return run_command(*args)


def write(path, rows):
    write_table(path, path.suffix.lstrip("."), HEADERS, rows)
    return str(path)


def statuses(org):
    return dict(CatalogueVersion.objects.filter(catalogue__org=org).order_by("number").values_list("number", "status"))


@pytest.fixture
def setup(db, tmp_path):
    """kit-a and kit-b with a published catalogue; the admin of A starts a draft of kit-a in
    the admin and edits an item of it."""
    tree = scope_tree()
    for org in (tree.a, tree.b):
        plain_catalogue(org, 2)
    admin = client_for(user_with_role(tree, "admin"))
    catalogue = tree.a.duty_catalogue
    response = admin.post(reverse("admin:duties_catalogue_changelist"),
                          {"action": "start_drafts", "_selected_action": [catalogue.pk]})
    assert response.status_code == 302
    draft = CatalogueVersion.objects.get(catalogue=catalogue, status="draft")
    item = draft.items.get(number="1")
    response = admin.post(reverse("admin:duties_dutyitem_change", args=[item.pk]), {
        "version": draft.pk, "number": "1", "name": "管理员正在修改的职责", "position": 0,
        "legal_basis": "", "workflow_text": "", "documents": "", "responsibilities": "",
        "aliases": "", "boundary": "", "supervision": "",
    })
    assert response.status_code == 302
    path = write(tmp_path / "duties.csv", [
        ["kit-a", "", "1", "导入的第一项"],
        ["kit-a", "", "2", "导入的第二项"],
        ["kit-b", "", "1", "乙的新职责"],
    ])
    return tree, admin, draft, path


def test_service_refuses_to_publish_over_an_open_draft(setup):
    tree, _admin, draft, _path = setup
    audits = AuditEntry.objects.count()
    with pytest.raises(services.DraftExists) as caught:
        plain_catalogue(tree.a, 5)  # publish=True
    assert caught.value.draft == draft and str(draft.number) in caught.value.messages[0]
    assert statuses(tree.a) == {1: "published", 2: "draft"}
    assert AuditEntry.objects.count() == audits
    # a new draft takes the open draft's place (as before)
    plain_catalogue(tree.a, 4, publish=False)
    assert list(statuses(tree.a).values()) == ["published", "draft"]
    assert CatalogueVersion.objects.get(catalogue__org=tree.a, status="draft").items.count() == 4


def test_import_refuses_while_the_admin_has_a_draft_and_the_dry_run_says_so(setup):
    tree, _admin, draft, path = setup
    before_a, before_b = statuses(tree.a), statuses(tree.b)
    audits = AuditEntry.objects.count()
    expected = exchange._has_draft(tree.a, draft.number)
    assert "kit-a" in expected and "--draft" in expected and str(draft.number) in expected

    dry = run("import_duties", path, "--dry-run")
    real = run("import_duties", path)
    for code, out, err in (dry, real):
        assert code == 1
        assert err.strip().splitlines() == [f"error: {expected}"]
        assert "Traceback" not in err and "IntegrityError" not in err
        assert out == ""
    # nothing at all was written: not kit-b's new version either, and the draft keeps its edit
    assert statuses(tree.a) == before_a and statuses(tree.b) == before_b
    assert draft.items.get(number="1").name == "管理员正在修改的职责"
    assert AuditEntry.objects.count() == audits


def test_after_the_admin_publishes_or_discards_the_draft_the_import_goes_through(setup):
    tree, admin, draft, path = setup
    admin.post(reverse("admin:duties_catalogueversion_changelist"),
               {"action": "discard", "_selected_action": [draft.pk]})
    assert statuses(tree.a) == {1: "published"}
    code, out, err = run("import_duties", path, "--dry-run")
    assert code == 0, err
    assert statuses(tree.a) == {1: "published"}
    code, out, err = run("import_duties", path)
    assert code == 0, err
    published = CatalogueVersion.objects.get(catalogue__org=tree.a, status="published")
    assert list(published.items.values_list("name", flat=True)) == ["导入的第一项", "导入的第二项"]

    # and with a draft published in the admin
    admin.post(reverse("admin:duties_catalogue_changelist"),
               {"action": "start_drafts", "_selected_action": [tree.a.duty_catalogue.pk]})
    second = CatalogueVersion.objects.get(catalogue__org=tree.a, status="draft")
    assert run("import_duties", path)[0] == 1
    admin.post(reverse("admin:duties_catalogueversion_changelist"),
               {"action": "publish", "_selected_action": [second.pk]})
    assert run("import_duties", path)[0] == 0
    assert list(statuses(tree.a).values())[-1] == "published"


def test_a_draft_import_replaces_the_admin_draft_and_warns(setup):
    tree, _admin, draft, path = setup
    warning = f"warning: {exchange._replaces_draft(tree.a, draft.number)}"
    code, out, err = run("import_duties", path, "--draft", "--dry-run")
    assert code == 0, err
    assert warning in err.splitlines()
    assert draft.items.get(number="1").name == "管理员正在修改的职责"  # dry run: untouched
    code, out, err = run("import_duties", path, "--draft")
    assert code == 0, err
    assert warning in err.splitlines()
    assert not CatalogueVersion.objects.filter(pk=draft.pk).exists()
    new_draft = CatalogueVersion.objects.get(catalogue__org=tree.a, status="draft")
    assert list(new_draft.items.values_list("name", flat=True)) == ["导入的第一项", "导入的第二项"]
    assert CatalogueVersion.objects.get(catalogue__org=tree.a, status="published").number == 1
    assert DutyItem.objects.filter(version__catalogue__org=tree.b, version__status="draft").count() == 1
