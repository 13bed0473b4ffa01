"""import_model_workers: the interfaces page's format, all or nothing."""

import io

import pytest
from django.core.management import call_command

from services.models import ModelWorker
from tests.factories import OrgFactory

HEADER = "姓名,身份证号后四位,工作单位编码,级别,获评次数,首次获评年度,是否退休,是否健在\n"


@pytest.fixture
def orgs(db):
    lf = OrgFactory(code="lf", name="廊坊市总工会", kind="federation")
    OrgFactory(code="lf-a", name="甲厂工会", parent=lf)
    OrgFactory(code="lf-gone", name="已撤销厂工会", parent=lf, is_active=False)
    return lf


def run(tmp_path, text, *args):
    path = tmp_path / "workers.csv"
    path.write_text(text, encoding="utf-8-sig")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_model_workers", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_import_creates_then_updates_known_workers(orgs, tmp_path):
    text = HEADER + "张三,1234,lf-a,市级,1,2001,是,是\n李四,,已撤销厂工会,省级,3,1990,是,\n"
    code, out, _err = run(tmp_path, text)
    assert code == 0 and "2" in out
    li = ModelWorker.objects.get(name="李四")
    assert (li.org.code, li.level, li.honours, li.alive) == ("lf-gone", "provincial", 3, True)
    code, _out, _err = run(tmp_path, HEADER + "张三,1234,lf-a,市级,2,2001,是,否\n")
    assert code == 0
    zhang = ModelWorker.objects.get(name="张三")
    assert (zhang.honours, zhang.alive) == (2, False)
    assert ModelWorker.objects.count() == 2


def test_a_bad_row_writes_nothing_and_names_row_and_column(orgs, tmp_path):
    text = HEADER + "张三,1234,lf-a,市级,1,2001,是,是\n\n王五,12,lf-x,区级,0,2001,也许,是\n"
    code, _out, err = run(tmp_path, text)
    assert code == 1
    assert ModelWorker.objects.count() == 0
    lines = err.splitlines()
    assert "row 4: 身份证号后四位: 请填写身份证号的后四位。" in lines
    assert any(line.startswith("row 4: 工作单位编码:") for line in lines)
    assert any(line.startswith("row 4: 级别:") for line in lines)
    assert any(line.startswith("row 4: 获评次数:") for line in lines)
    assert any(line.startswith("row 4: 是否退休:") for line in lines)


def test_dry_run_writes_nothing(orgs, tmp_path):
    code, out, _err = run(tmp_path, HEADER + "张三,1234,lf-a,市级,1,2001,是,是\n", "--dry-run")
    assert code == 0 and ModelWorker.objects.count() == 0


def test_unknown_extension_is_usage(orgs, tmp_path):
    with pytest.raises(SystemExit) as exc:
        call_command("import_model_workers", str(tmp_path / "w.txt"))
    assert exc.value.code == 2


def _preview_errors(function, text: str, actor, reference: str) -> list[str]:
    """The preview's errors with the typed reference blanked out, to compare two references."""
    report = function(io.BytesIO(text.format(ref=reference).encode()), "csv", actor=actor, dry_run=True)
    report = getattr(report, "report", report)
    return [str(problem).replace(reference, "<ref>") for problem in report.errors]


@pytest.mark.parametrize("outside, unknown", [("kit-b-1", "kit-none"), ("乙一基层工会", "无此基层工会")])
def test_an_org_of_another_tree_reads_like_one_that_does_not_exist(db, outside, unknown):
    from services.exchange import import_model_workers
    from tests.kit import scope_tree, user_with_role

    admin = user_with_role(scope_tree(), "admin")
    text = "姓名,工作单位编码,级别,获评次数,首次获评年度,是否退休\n工人,{ref},市级,1,2010,否\n"
    seen = _preview_errors(import_model_workers, text, admin, outside)
    assert seen and seen == _preview_errors(import_model_workers, text, admin, unknown)
    assert _preview_errors(import_model_workers, text, admin, "kit-a-1") == []
