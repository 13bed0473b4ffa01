"""The org tree: codes, sibling names, cycles, deletion, integrity and concurrent writes."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections

from orgs import services
from orgs.integrity import tree_faults
from orgs.models import Grant, Org, OrgKind
from tests.factories import OrgFactory, UserFactory
from unionportal.actors import SYSTEM
from unionportal.concurrency import ConflictError
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return OrgFactory(code="t", name="总", kind=OrgKind.FEDERATION)


@pytest.mark.parametrize("code", ["Zz", "zz.pdf", "zz_jy", "-zz", "zz--jy", "z" * 41, "株洲"])
def test_bad_codes_are_refused(root, code):
    with pytest.raises(ValidationError) as exc:
        services.create_org(actor=SYSTEM, parent=root, code=code, name="新工会", kind="base")
    assert "code" in exc.value.message_dict


def test_names_are_unique_among_siblings_only(root):
    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    b = services.create_org(actor=SYSTEM, parent=root, code="t-b", name="乙", kind="system")
    services.create_org(actor=SYSTEM, parent=a, code="t-a-x", name="同名", kind="base")
    services.create_org(actor=SYSTEM, parent=b, code="t-b-x", name="同名", kind="base")  # other parent: fine
    with pytest.raises(ValidationError):
        services.create_org(actor=SYSTEM, parent=a, code="t-a-y", name="同名", kind="base")


def test_root_names_are_unique(root):
    with pytest.raises(ValidationError):
        services.create_org(actor=SYSTEM, parent=None, code="t2", name="总", kind="federation")


def test_an_org_cannot_move_under_its_own_subtree(root):
    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    a1 = services.create_org(actor=SYSTEM, parent=a, code="t-a-1", name="甲一", kind="base")
    with pytest.raises(ValidationError) as exc:
        services.move_org(actor=SYSTEM, org=a, new_parent=a1)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.move_org(actor=SYSTEM, org=a, new_parent=a)
    assert tree_faults() == []


def test_moves_keep_the_tree_consistent(root):
    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    b = services.create_org(actor=SYSTEM, parent=root, code="t-b", name="乙", kind="system")
    a1 = services.create_org(actor=SYSTEM, parent=a, code="t-a-1", name="甲一", kind="base")
    services.move_org(actor=SYSTEM, org=a1, new_parent=b)
    b.refresh_from_db()
    assert [child.code for child in b.get_children()] == ["t-a-1"]
    assert tree_faults() == []


def test_deleting_an_org_with_children_is_refused(root):
    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    services.create_org(actor=SYSTEM, parent=a, code="t-a-1", name="甲一", kind="base")
    with pytest.raises(ValidationError) as exc:
        services.delete_org(actor=SYSTEM, org=a)
    assert "甲" in exc.value.messages[0]
    assert Org.objects.filter(code="t-a").exists()


def test_deleting_an_org_with_records_is_refused(root):
    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    Grant.objects.create(user=UserFactory(), role="clerk", org=a)
    with pytest.raises(ValidationError) as exc:
        services.delete_org(actor=SYSTEM, org=a)
    assert "甲" in exc.value.messages[0]
    assert Org.objects.filter(code="t-a").exists()


def test_deleting_a_leaf_is_audited(root):
    leaf = services.create_org(actor=SYSTEM, parent=root, code="t-z", name="末", kind="base")
    services.delete_org(actor=SYSTEM, org=leaf)
    assert not Org.objects.filter(code="t-z").exists()
    assert AuditEntry.objects.filter(action="org.delete", object_repr="末").exists()
    assert tree_faults() == []


def test_update_with_stale_version_is_a_conflict(root):
    org = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    services.update_org(actor=SYSTEM, org=org, expected_version=1, name="甲甲")
    with pytest.raises(ConflictError):
        services.update_org(actor=SYSTEM, org=org, expected_version=1, name="甲乙")
    org.refresh_from_db()
    assert org.name == "甲甲" and org.version == 2


def test_every_write_is_audited_with_before_and_after(root):
    org = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    services.update_org(actor=SYSTEM, org=org, members=120)
    entry = AuditEntry.objects.filter(action="org.update").get()
    assert entry.before["members"] is None and entry.after["members"] == 120


def test_check_tree_names_each_fault(root, capsys):
    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    services.create_org(actor=SYSTEM, parent=a, code="t-a-1", name="甲一", kind="base")
    call_command("check_tree")  # a sound tree: no SystemExit, nothing on stderr
    assert capsys.readouterr().err == ""
    # Corrupt the nested-set fields behind mptt's back, as a bad bulk update would.
    Org.objects.filter(code="t-a-1").update(lft=50, level=5)
    with pytest.raises(SystemExit) as exc:
        call_command("check_tree")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "t-a-1" in err and err.count("\n") >= 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_and_moves_keep_the_tree_intact():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises writers itself")
    root = services.create_org(actor=SYSTEM, parent=None, code="c", name="并发总工会", kind="federation")
    branches = [
        services.create_org(actor=SYSTEM, parent=root, code=f"c-{i}", name=f"分支{i}", kind="system")
        for i in range(4)
    ]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(index: int):
        try:
            barrier.wait()
            for step in range(12):
                parent = branches[(index + step) % 4]
                org = services.create_org(actor=SYSTEM, parent=Org.objects.get(pk=parent.pk),
                                          code=f"c-{index}-{step}", name=f"基层{index}-{step}", kind="base")
                if step % 3 == 2:
                    target = Org.objects.get(pk=branches[(index + step + 1) % 4].pk)
                    services.move_org(actor=SYSTEM, org=Org.objects.get(pk=org.pk), new_parent=target)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Org.objects.filter(tree_id=root.tree_id).count() == 1 + 4 + 4 * 12
    assert tree_faults() == []
    call_command("check_tree")


@pytest.mark.parametrize("per_statement", [10_000, 2])
def test_rebuild_tree_restores_scrambled_bounds_and_keeps_sibling_order(root, monkeypatch, per_statement):
    from unionportal import tree
    from unionportal.tree import rebuild_tree

    # 2: PostgreSQL writes the positions in several statements, each its own slice of rows.
    monkeypatch.setattr(tree, "POSITIONS_PER_STATEMENT", per_statement)

    a = services.create_org(actor=SYSTEM, parent=root, code="t-a", name="甲", kind="system")
    b = services.create_org(actor=SYSTEM, parent=root, code="t-b", name="乙", kind="system")
    for index in range(3):
        services.create_org(actor=SYSTEM, parent=a, code=f"t-a-{index}", name=f"甲{index}", kind="base")
    services.create_org(actor=SYSTEM, parent=b, code="t-b-0", name="乙0", kind="base")
    expected = list(Org.objects.filter(tree_id=root.tree_id).values_list("code", "lft", "rght", "level"))
    Org.objects.filter(tree_id=root.tree_id).exclude(pk=root.pk).update(rght=0, level=9)
    assert tree_faults() != []
    changed = rebuild_tree(Org, root.tree_id)
    assert changed == len(expected) - 1  # the root was already right
    assert list(Org.objects.filter(tree_id=root.tree_id).values_list("code", "lft", "rght", "level")) == expected
    assert tree_faults() == []
    assert rebuild_tree(Org, root.tree_id) == 0  # nothing left to change
