"""seed, grant_role and export_orgs from the command line."""


import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from fixtures.demo_orgs import DEMO_ACCOUNTS, DEMO_EXTRA_GRANTS
from fixtures.seed_orgs import SEED_ORGS
from orgs.integrity import tree_faults
from orgs.models import Grant, Org, OrgAlias
from tests.commands import run_command

pytestmark = pytest.mark.django_db


def run(name, *args, stdin=None, monkeypatch=None):
    return run_command(name, *args, stdin=stdin)


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """``seed`` run once (exit 0) for the tests of a class that read or build on the tree it
    loads, inside a transaction rolled back after the class: each test's own transaction is a
    savepoint in it, rolled back after the test, so each starts from the freshly seeded tree
    (as when each ran ``seed`` itself, a second or two each). Tests about seeding itself run it
    on the empty database, outside these classes."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # a durable block inside a test may still open
        outer.__enter__()
        try:
            assert run("seed")[0] == 0
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_seed_loads_the_interface_orgs_idempotently():
    assert run("seed")[0] == 0
    first = list(Org.objects.values_list("code", "name", "kind", "parent__code", "lft", "rght"))
    assert run("seed")[0] == 0
    assert list(Org.objects.values_list("code", "name", "kind", "parent__code", "lft", "rght")) == first
    for seed in SEED_ORGS:
        org = Org.objects.get(code=seed.code)
        assert (org.name, org.kind, org.parent.code if org.parent else None) == (
            seed.name, seed.kind, seed.parent)
    assert Org.objects.get(code="zz").get_children().count() == 12
    assert tree_faults() == []




def test_seed_demo_prints_one_line_per_account():
    code, out, _err = run("seed", "--demo")
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    accounts = [fields for fields in lines if len(fields) == 4 and fields[2] in
                {"staff", "reviewer", "scorer", "clerk", "admin"}]
    assert accounts == [list(account) for account in DEMO_ACCOUNTS]
    demo = Org.objects.filter(is_demo=True)
    assert demo.filter(name="市港务总公司工会", parent__code="zz-gzw").exists()
    assert {seed.code for seed in SEED_ORGS if seed.parent == "zz"} <= set(
        demo.values_list("parent__code", flat=True))
    user = get_user_model().objects.get(username="demo-admin")
    assert user.check_password("admin-demo-2026")
    assert run("seed", "--demo")[0] == 0  # twice: nothing duplicated
    assert Grant.objects.filter(user__username__startswith="demo-").count() == len(DEMO_ACCOUNTS) + len(
        DEMO_EXTRA_GRANTS)


@pytest.mark.usefixtures("seeded_once")
class TestOnTheSeededTree:
    @pytest.mark.parametrize(
        ("alias", "code"),
        [
            ("市直机关工会委员会", "zz-szjg"),  # seed 000's heading
            ("市卫生系统工会", "zz-ws"),  # seed 003's label
            ("株洲市供销联合社系统工会", "zz-gx"),
            ("市金融系统工会", "zz-jr"),
        ],
    )
    def test_seed_keeps_the_documents_other_names_as_aliases(self, alias, code):
        assert OrgAlias.objects.get(name=alias).org.code == code
        assert list(Org.objects.resolve(alias).values_list("code", flat=True)) == [code]

    def test_grant_role_creates_user_with_password_from_stdin(self, monkeypatch):
        code, out, err = run("grant_role", "li", "reviewer", "市卫生系统工会", "--create", "--password-stdin",
                             stdin="s3cret-passphrase\n", monkeypatch=monkeypatch)
        assert code == 0, err
        user = get_user_model().objects.get(username="li")
        assert user.check_password("s3cret-passphrase")
        assert Grant.objects.filter(user=user, role="reviewer", org__code="zz-ws").exists()
        # Chinese role names work as well, and a repeat is harmless.
        assert run("grant_role", "li", "审核员", "zz-ws")[0] == 0
        assert Grant.objects.filter(user=user).count() == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("nobody", "staff", "zz"), "nobody"),  # no such user, no --create
            (("li", "boss", "zz"), "boss"),  # unknown role
            (("li", "staff", "nowhere"), "nowhere"),  # unknown org
        ],
    )
    def test_grant_role_errors_exit_1_and_write_nothing(self, args, message):
        get_user_model().objects.create_user("li")
        code, _out, err = run("grant_role", *args)
        assert code == 1 and err.startswith("error: ") and message in err
        assert not Grant.objects.exists()

    def test_export_orgs_writes_the_whole_tree(self, tmp_path):
        path = tmp_path / "tree.csv"
        assert run("export_orgs", str(path))[0] == 0
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == "编码,名称,上级编码,类型,简称,会员数,职工数"
        assert "zz-jy,株洲市教育系统工会,zz,系统工会,,," in lines
        assert len(lines) == 1 + len(SEED_ORGS)
        assert run("export_orgs", str(tmp_path / "tree.pdf"))[0] == 2


def test_seed_sends_warnings_to_stderr_and_reports_to_stdout():
    code, out, err = run("seed")
    assert code == 0
    warnings = err.strip().splitlines()
    assert warnings and all(line.startswith("warning: ") for line in warnings)
    assert any("国资委" in line and "组织建设" in line for line in warnings)
    assert "warning:" not in out
