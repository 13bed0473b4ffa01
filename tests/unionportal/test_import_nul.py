"""Issue 9, finding 5: a NUL byte in a CSV is a ``row N: COLUMN: message`` error at every entry
point (第 N 行：列：… in the UI), never a 500 or a traceback, and nothing is written.
Issue 10, defect 8: the UI says 第 6 行, the command line keeps ``row 6:``."""

import pytest

from assessment.models import Template
from duties.models import CatalogueVersion
from orgs.models import Org
from services.models import ModelWorker
from tests.commands import run_command
from tests.kit import client_for, scope_tree
from tests.unionportal.importsites import (
    admin_import,
    admin_import_client,
    open_sheet,
    sheet_upload,
)
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db
NUL = "\x00"


@pytest.fixture
def tree(db):
    return scope_tree()


def state():
    return (Org.objects.count(), CatalogueVersion.objects.count(), Template.objects.count(),
            ModelWorker.objects.count(), AuditEntry.objects.count())


# (command, extra arguments, file text, the column whose cell holds the NUL)
COMMAND_FILES = {
    "import_orgs": ([], f"编码,名称,上级编码,类型\nkit-n1,新{NUL}工会,kit-a,基层工会\n", "名称"),
    "import_duties": ([], f"单位编码,序号,名称,法定依据\nkit-a,1,组织{NUL}建设,《工会法》\n", "名称"),
    "import_assessment_template": (
        [], f"考核单位编码,年度,序号,考核指标,权重\nkit-a,2027,1,组织建设{NUL},100\n", "考核指标"),
    "import_model_workers": (
        [], f"姓名,工作单位编码,级别,获评次数,首次获评年度,是否退休\n张{NUL}三,kit-a-1,市级,1,2010,否\n", "姓名"),
    "import_self_assessment": (
        ["kit-a-1", "2026"], f"序号,自评等级,资料齐全,自评说明\n2,全面完成,是,已{NUL}完成\n", "自评说明"),
}


@pytest.mark.parametrize("command", list(COMMAND_FILES))
def test_a_nul_byte_is_a_row_error_on_every_command(tree, tmp_path, command):
    if command == "import_self_assessment":
        open_sheet(tree)
    arguments, text, column = COMMAND_FILES[command]
    path = tmp_path / "input.csv"
    path.write_bytes(text.encode("utf-8"))
    before = state()
    code, out, err = run_command(command, *arguments, str(path))
    assert code == 1, (out, err)
    assert "Traceback" not in err
    first = err.splitlines()[0]
    assert first.startswith(f"row 2: {column}: ") and "U+0000" in first
    assert state() == before


def test_a_nul_byte_in_the_admin_org_import_is_shown_as_a_chinese_row_error(tree):
    client = admin_import_client(tree)
    content = f"编码,名称,上级编码,类型\nkit-n1,新{NUL}工会,kit-a,基层工会\n".encode()
    page = admin_import(client, "orgs.csv", content)
    assert "第 2 行：名称：" in page and "U+0000" in page
    assert "row 2" not in page
    assert not Org.objects.filter(code="kit-n1").exists()


def test_a_nul_byte_in_the_staff_sheet_upload_is_shown_as_a_chinese_row_error(tree):
    sheet, staff = open_sheet(tree)
    content = f"序号,自评等级,资料齐全,自评说明\n2,全面完成,是,已{NUL}完成\n".encode()
    shown = sheet_upload(client_for(staff), "sheet.csv", content)
    assert any(text.startswith("第 2 行：自评说明：") and "U+0000" in text for text in shown), shown
    sheet.refresh_from_db()
    assert not sheet.units.exclude(self_grade="").exists()


def test_upload_errors_say_di_n_hang_in_the_ui_and_row_n_on_the_command_line(tree, tmp_path):
    sheet, staff = open_sheet(tree)
    content = "序号,自评等级,资料齐全\n1.1,全面完成,是\n\n\n\n9,全面完成,是\n"
    shown = sheet_upload(client_for(staff), "sheet.csv", content.encode())
    assert any(text.startswith("第 6 行：序号：") for text in shown), shown
    assert not any("row 6" in text for text in shown)
    path = tmp_path / "sheet.csv"
    path.write_text(content, encoding="utf-8")
    code, _out, err = run_command("import_self_assessment", "kit-a-1", "2026", str(path))
    assert code == 1 and err.startswith("row 6: 序号: ")
