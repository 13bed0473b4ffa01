"""import_duties / export_duties: the file format, row errors, dry run, drafts, round trip."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from duties import services
from duties.models import CatalogueVersion, DutyItem
from tests.commands import run_command
from tests.duties.helpers import plain_catalogue
from tests.factories import OrgFactory
from unionportal.tabular import write_table

HEADERS = ["单位编码", "主要职责", "序号", "名称", "法定依据", "实施机构", "运行流程", "监督方式"]


def run(*args):
    return run_command(*args)


def write(path, rows, headers=HEADERS):
    write_table(path, path.suffix.lstrip("."), headers, rows)
    return path


def test_export_then_import_round_trips(seeded, tmp_path):
    for code, suffix in (("tj-hd", "xlsx"), ("xx-jd", "csv"), ("zz", "xlsx")):
        path = tmp_path / f"{code}.{suffix}"
        args = ["export_duties", code, str(path)] + (["--subtree"] if code == "zz" else [])
        assert run(*args)[0] == 0
        before = {v.catalogue.org_id: services.version_data(v) for v in CatalogueVersion.objects.filter(status="published")}
        code_, out, err = run("import_duties", str(path))
        assert code_ == 0, err
        assert "未变更（与已发布的第" in out  # the same content: no new version
        after = {v.catalogue.org_id: services.version_data(v) for v in CatalogueVersion.objects.filter(status="published")}
        assert after == before


def test_import_creates_versions_with_departments_and_workflows(db, tmp_path):
    OrgFactory(code="imp", name="导入测试工会")
    contact = "监督电话：123\n投诉邮箱：a@b.cn"
    path = write(tmp_path / "duties.csv", [
        ["imp", "组织建设", "1.1", "建会", "《工会法》、《中国工会章程》", "组织部", "申请-审批—登记——发证→归档", contact],
        ["imp", "组织建设", "1.2", "换届", "", "组织部", "", contact],
        ["imp", "组织建设", "1.3", "培训", "", "组织部", "", "监督电话：999"],
        ["导入测试工会", "", "2", "其他", "", "", "", ""],
    ])
    code, out, err = run("import_duties", str(path))
    assert code == 0, err
    version = CatalogueVersion.objects.get(catalogue__org__code="imp", status="published")
    assert version.main_duties.get().number == "1"
    department = version.departments.get()
    assert department.supervision == contact
    items = {item.number: item for item in version.items.all()}
    assert items["1.1"].workflows == [{"title": "", "steps": ["申请", "审批", "登记", "发证", "归档"]}]
    assert items["1.1"].legal_basis == ["《工会法》", "《中国工会章程》"]
    assert items["1.2"].supervision == "" and items["1.3"].supervision == "监督电话：999"
    assert items["2"].main_duty is None


def test_row_errors_are_reported_by_row_and_nothing_is_written(db, tmp_path):
    org = OrgFactory(code="imp", name="导入测试工会")
    plain_catalogue(org, 2)
    path = write(tmp_path / "bad.xlsx", [
        ["imp", "", "1", "好的一行", "", "", "", ""],
        ["nowhere", "", "2", "未知单位", "", "", "", ""],
        ["", "", "", "", "", "", "", ""],  # a blank row counts as a row and is skipped
        ["imp", "", "", "", "", "", "", ""],
        ["imp", "", "1", "重复序号", "", "", "", ""],
    ])
    code, out, err = run("import_duties", str(path))
    assert code == 1
    lines = err.strip().splitlines()
    assert any(line.startswith("row 3: 单位编码: ") and "nowhere" in line for line in lines)
    assert any(line.startswith("row 5: 序号: ") for line in lines)
    assert any(line.startswith("row 5: 名称: ") for line in lines)
    assert any(line.startswith("row 6: 序号: ") for line in lines)
    assert not any(line.startswith("row 4") for line in lines)
    assert CatalogueVersion.objects.filter(catalogue__org=org).count() == 1


def test_dry_run_writes_nothing_and_draft_keeps_the_published_version(db, tmp_path):
    org = OrgFactory(code="imp", name="导入测试工会")
    plain_catalogue(org, 2)
    path = write(tmp_path / "d.csv", [["imp", "", "1", "新职责", "", "", "", ""]])
    code, out, _err = run("import_duties", str(path), "--dry-run")
    assert code == 0 and "imp" in out
    assert CatalogueVersion.objects.filter(catalogue__org=org).count() == 1
    code, out, _err = run("import_duties", str(path), "--draft")
    assert code == 0
    statuses = dict(CatalogueVersion.objects.filter(catalogue__org=org).values_list("number", "status"))
    assert statuses == {1: "published", 2: "draft"}


def test_usage_and_file_errors_have_their_exit_codes(db, tmp_path):
    assert run("import_duties", str(tmp_path / "x.txt"))[0] == 2
    assert run("import_duties", str(tmp_path / "missing.csv"))[0] == 1
    no_name = write(tmp_path / "cols.csv", [["imp", "1"]], headers=["单位编码", "序号"])
    code, _out, err = run("import_duties", str(no_name))
    assert code == 1 and "名称" in err
    assert run("export_duties", "nowhere", str(tmp_path / "x.csv"))[0] == 1
    assert run("export_duties", "nowhere", str(tmp_path / "x.doc"))[0] == 2
    with pytest.raises(Exception):  # noqa: B017  (argparse: a missing argument is usage)
        call_command("export_duties", stdout=io.StringIO(), stderr=io.StringIO())


def test_exports_escape_formula_like_cells(db, tmp_path):
    org = OrgFactory(code="fx", name="公式测试工会")
    plain_catalogue(org, texts=["=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "正常"])
    path = tmp_path / "fx.xlsx"
    assert run("export_duties", "fx", str(path))[0] == 0
    sheet = load_workbook(path).worksheets[0]
    names = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert names[0] == '=HYPERLINK("http://evil")' and sheet["D2"].data_type == "s" and sheet["D2"].quotePrefix
    csv_path = tmp_path / "fx.csv"
    assert run("export_duties", "fx", str(csv_path))[0] == 0
    text = csv_path.read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "'-2" in text and "'@SUM" in text
    # and the escaped export imports back unchanged
    assert run("import_duties", str(csv_path))[0] == 0
    latest = CatalogueVersion.objects.get(catalogue__org=org, status="published")
    assert list(latest.items.values_list("name", flat=True))[:4] == ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)"]


def test_import_a_thousand_items(db, tmp_path):
    OrgFactory(code="big", name="大量导入工会")
    rows = [["big", f"主要职责{n // 100}", str(n), f"职责{n}", "《工会法》", f"部门{n % 5}", "甲-乙-丙", "电话"]
            for n in range(1000)]
    path = write(tmp_path / "big.xlsx", rows)
    assert run("import_duties", str(path))[0] == 0
    assert DutyItem.objects.filter(version__catalogue__org__code="big").count() == 1000


@pytest.mark.parametrize("outside, unknown", [("kit-b-1", "kit-none"), ("乙一基层工会", "无此基层工会")])
def test_an_org_of_another_tree_reads_like_one_that_does_not_exist(db, outside, unknown):
    import io

    from duties.exchange import import_duties
    from tests.kit import scope_tree, user_with_role

    admin = user_with_role(scope_tree(), "admin")

    def errors(reference):
        text = f"单位编码,序号,名称\n{reference},1,职责\n"
        result = import_duties(io.BytesIO(text.encode()), "csv", actor=admin, dry_run=True)
        return [str(problem).replace(reference, "<ref>") for problem in result.report.errors]

    assert errors(outside) and errors(outside) == errors(unknown)
    assert errors("kit-a-1") == []
