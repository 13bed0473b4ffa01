"""import_orgs / export_orgs: formats, every bad row reported, all or nothing, dry run."""

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from orgs.exchange import export_orgs
from orgs.models import Org
from tests.commands import run_command
from tests.factories import OrgFactory
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = "编码,名称,上级编码,类型,简称,会员数,职工数\n"


@pytest.fixture
def city():
    return OrgFactory(code="zz", name="株洲市总工会", kind="federation")


def write(tmp_path, name, text, bom=False):
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + text).encode())
    return path


def run(path, *args):
    """Run import_orgs; return (exit code, stdout, stderr)."""
    return run_command("import_orgs", str(path), *args)


def snapshot():
    return list(Org.objects.order_by("code").values_list("code", "name", "parent__code", "lft", "rght"))


def test_import_with_parent_after_child_and_bom(tmp_path, city):
    path = write(tmp_path, "orgs.csv", HEADER
                 + "zz-jy-1,一中工会,zz-jy,基层工会,,120,130\n"
                 + "zz-jy,株洲市教育系统工会,zz,系统工会,教育工会,,\n", bom=True)
    code, out, err = run(path)
    assert code == 0, err
    school = Org.objects.get(code="zz-jy-1")
    assert school.parent.code == "zz-jy" and school.members == 120 and school.workers == 130
    assert Org.objects.get(code="zz-jy").short_name == "教育工会"
    assert AuditEntry.objects.filter(action="org.create").count() == 2


def test_parent_may_be_named_by_alias(tmp_path, city):
    city.aliases.create(name="市总")
    path = write(tmp_path, "orgs.csv", HEADER + "zz-x,某工会,市总,基层工会,,,\n")
    assert run(path)[0] == 0
    assert Org.objects.get(code="zz-x").parent == city


def test_known_code_updates_and_moves(tmp_path, city):
    jy = OrgFactory(code="zz-jy", name="教育", kind="system", parent=city)
    ws = OrgFactory(code="zz-ws", name="卫生", kind="system", parent=city)
    OrgFactory(code="zz-1", name="一中", kind="base", parent=jy)
    path = write(tmp_path, "orgs.csv", HEADER + "zz-1,一中工会,zz-ws,基层工会,,5,\n")
    code, out, _err = run(path)
    assert code == 0
    moved = Org.objects.get(code="zz-1")
    assert moved.parent == ws and moved.name == "一中工会" and moved.members == 5
    call_command("check_tree")


def test_every_bad_row_is_reported_and_nothing_written(tmp_path, city):
    OrgFactory(code="zz-old", name="老工会", kind="base", parent=city)
    before = snapshot()
    rows = [
        "zz-a,甲工会,zz,系统工会,,,",  # row 2: fine
        "zz-b,乙工会,zz-nowhere,基层工会,,,",  # row 3: missing parent
        "zz-a,甲又一个,zz,基层工会,,,",  # row 4: duplicate code
        "zz-c,丙工会,zz,合作社,,,",  # row 5: unknown kind
        "zz-d,丁工会,zz,基层工会,,-3,",  # row 6: negative count
        "zz-e," + "长" * 101 + ",zz,基层工会,,,",  # row 7: over-long name
        "",  # row 8: blank, skipped but counted
        "ZZ.F,戊工会,zz,基层工会,,,",  # row 9: bad code
        "zz-g,己工会,zz,基层工会,,十,",  # row 10: not a number
    ]
    path = write(tmp_path, "orgs.csv", HEADER + "\n".join(rows) + "\n")
    code, _out, err = run(path)
    assert code == 1
    lines = err.strip().splitlines()
    assert any(line.startswith("row 3: 上级编码: ") and "zz-nowhere" in line for line in lines)
    assert any(line.startswith("row 4: 编码: ") for line in lines)
    assert any(line.startswith("row 5: 类型: ") and "合作社" in line for line in lines)
    assert any(line.startswith("row 6: 会员数: ") for line in lines)
    assert any(line.startswith("row 7: 名称: ") for line in lines)
    assert any(line.startswith("row 9: 编码: ") for line in lines)
    assert any(line.startswith("row 10: 会员数: ") for line in lines)
    assert not any(line.startswith(("row 2:", "row 8:")) for line in lines)
    assert snapshot() == before


def test_cycle_inside_the_file_is_refused(tmp_path, city):
    path = write(tmp_path, "orgs.csv", HEADER + "zz-p,甲,zz-q,系统工会,,,\nzz-q,乙,zz-p,系统工会,,,\n")
    code, _out, err = run(path)
    assert code == 1 and "row 2: 上级编码: " in err and "row 3: 上级编码: " in err
    assert not Org.objects.filter(code__in=["zz-p", "zz-q"]).exists()


def test_moving_an_org_below_its_own_descendant_is_refused(tmp_path, city):
    a = OrgFactory(code="zz-a", name="甲", kind="system", parent=city)
    OrgFactory(code="zz-a-1", name="甲一", kind="base", parent=a)
    path = write(tmp_path, "orgs.csv", HEADER + "zz-a,甲,zz-a-1,系统工会,,,\n")
    code, _out, err = run(path)
    assert code == 1 and err.startswith("row 2: 上级编码: ")


def test_sibling_name_clash_with_existing_org(tmp_path, city):
    OrgFactory(code="zz-a", name="甲", kind="system", parent=city)
    path = write(tmp_path, "orgs.csv", HEADER + "zz-b,甲,zz,系统工会,,,\n")
    code, _out, err = run(path)
    assert code == 1 and err.startswith("row 2: 名称: ")


def test_dry_run_writes_nothing(tmp_path, city):
    before = snapshot()
    path = write(tmp_path, "orgs.csv", HEADER + "zz-a,甲,zz,系统工会,,,\n")
    code, out, _err = run(path, "--dry-run")
    assert code == 0 and "1" in out
    assert snapshot() == before
    assert not AuditEntry.objects.exists()


def test_missing_column_and_unknown_extension(tmp_path, city):
    path = write(tmp_path, "orgs.csv", "编码,名称\nzz-a,甲\n")
    code, _out, err = run(path)
    assert code == 1 and err.startswith("error: ") and "上级编码" in err
    code, _out, err = run(write(tmp_path, "orgs.txt", HEADER))
    assert code == 2 and err.startswith("error: ")


def test_usage_errors_exit_2(city):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "manage.py", "import_orgs"], capture_output=True, text=True)
    assert result.returncode == 2
    result = subprocess.run([sys.executable, "manage.py", "import_orgs", "x.csv", "--bogus"],
                            capture_output=True, text=True)
    assert result.returncode == 2


def test_xlsx_cells_read_as_text_with_english_headers(tmp_path, city):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Name", "Parent", "Kind", "Members"])
    sheet.append(["zz-n", "数字工会", "zz", "base", 42])
    sheet.append([None, None, None, None, None])
    sheet.append(["zz-m", "另一工会", "zz", "base", -1])
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)
    code, _out, err = run(path)
    assert code == 1 and err.strip() == "row 4: Members: " + err.strip().split(": ", 2)[2]
    sheet.delete_rows(4)
    workbook.save(path)
    assert run(path)[0] == 0
    assert Org.objects.get(code="zz-n").members == 42


def test_export_then_import_round_trips(tmp_path, city):
    jy = OrgFactory(code="zz-jy", name="教育", kind="system", parent=city, short_name="=SUM(A1)")
    OrgFactory(code="zz-jy-1", name="一中", kind="base", parent=jy, members=3, workers=4)
    for suffix in ("xlsx", "csv"):
        path = tmp_path / f"all.{suffix}"
        call_command("export_orgs", str(path), stdout=io.StringIO())
        before = snapshot()
        code, out, err = run(path)
        assert code == 0, err
        assert snapshot() == before
        assert "3" in out  # three unchanged


def test_exports_escape_formula_like_cells(city):
    OrgFactory(code="zz-f", name="+危险", kind="base", parent=city, short_name="@cmd")
    buffer = io.BytesIO()
    export_orgs(buffer, "csv", Org.objects.all())
    text = buffer.getvalue().decode("utf-8-sig")
    assert "'+危险" in text and "'@cmd" in text
    buffer = io.BytesIO()
    export_orgs(buffer, "xlsx", Org.objects.all())
    buffer.seek(0)
    cells = {cell.value: cell for row in load_workbook(buffer).active.iter_rows() for cell in row}
    assert cells["+危险"].data_type == "s" and cells["+危险"].quotePrefix
    # Codes and counts are text cells too.
    assert cells["zz-f"].data_type == "s"


def test_a_file_with_new_roots_moves_and_deep_children_leaves_a_sound_tree(tmp_path, city):
    from orgs.integrity import tree_faults

    jy = OrgFactory(code="zz-jy", name="教育", kind="system", parent=city)
    OrgFactory(code="zz-jy-1", name="一中", kind="base", parent=jy)
    path = write(tmp_path, "orgs.csv", HEADER
                 + "hd-1-1,河东一街基层,hd-1,基层工会,,,\n"
                 + "hd,河东区总工会,,总工会,,,\n"
                 + "hd-1,河东一街,hd,街道工会,,,\n"
                 + "zz-jy-1,一中,hd-1,基层工会,,,\n"  # moved into the new tree
                 + "zz-ws,卫生,zz,系统工会,,,\n")
    code, _out, err = run(path)
    assert code == 0, err
    assert tree_faults() == []
    hd = Org.objects.get(code="hd")
    assert hd.is_root_node()
    assert {o.code for o in Org.objects.get(code="hd-1").get_children()} == {"hd-1-1", "zz-jy-1"}
    assert [o.code for o in Org.objects.get(code="zz").get_children()] == ["zz-jy", "zz-ws"]


def _preview_errors(actor, rows: str, reference: str) -> list[str]:
    from orgs.exchange import import_orgs

    text = "编码,名称,上级编码,类型\n" + rows.format(ref=reference)
    report = import_orgs(io.BytesIO(text.encode()), "csv", actor=actor, dry_run=True)
    return [str(problem).replace(reference, "<ref>") for problem in report.errors]


@pytest.mark.parametrize("outside, unknown", [("kit-b", "kit-none"), ("乙系统工会", "无此系统工会")])
def test_a_parent_of_another_tree_reads_like_one_that_does_not_exist(db, outside, unknown):
    from tests.kit import scope_tree, user_with_role

    admin = user_with_role(scope_tree(), "admin")
    rows = "kit-a-9,新基层工会,{ref},基层工会\n"
    seen = _preview_errors(admin, rows, outside)
    assert seen and seen == _preview_errors(admin, rows, unknown)
    assert _preview_errors(admin, rows, "kit-a") == []


def test_a_top_level_name_of_another_tree_does_not_show(db):
    from tests.kit import scope_tree, user_with_role

    admin = user_with_role(scope_tree(), "admin")
    rows = "kit-new,{ref},,总工会\n"
    assert _preview_errors(admin, rows, "测试市总工会") == _preview_errors(admin, rows, "无此市总工会")
    assert _preview_errors(SYSTEM, rows, "测试市总工会") != []  # commands still see every clash
