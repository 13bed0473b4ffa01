"""Issue 9, finding 3: imports are bounded before and while parsing (file size, the unpacked
size of an xlsx, rows, cell length), parse XML with defusedxml and open no savepoint per row."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.exchange import import_templates
from duties.exchange import import_duties
from orgs.exchange import import_orgs
from orgs.models import Org
from services.exchange import import_model_workers
from tests.commands import run_command
from tests.kit import client_for, scope_tree
from tests.unionportal.importfiles import (
    BILLION_LAUGHS,
    SHEET,
    XXE,
    entity_sheet,
    with_member,
    xlsx_bytes,
    zip_bomb,
)
from tests.unionportal.importsites import (
    ORG_HEADER,
    admin_import,
    admin_import_client,
    open_sheet,
    sheet_upload,
)
from unionportal.actors import SYSTEM
from unionportal.import_limits import command_limits, web_limits
from unionportal.models import AuditEntry
from unionportal.tabular import Column, FileFormatError, read_table
from unionportal.tabular_read import raw_rows

pytestmark = pytest.mark.django_db
COLUMNS = [Column("code", "编码", "code", required=True), Column("name", "名称", "name")]


@pytest.fixture
def tree(db):
    return scope_tree()


def org_rows(count: int, parent: str = "kit-a") -> list[list[str]]:
    return [[f"kit-n{n}", f"新建{n}号工会", parent, "基层工会"] for n in range(count)]


def org_csv(count: int) -> bytes:
    return "\n".join(",".join(row) for row in [ORG_HEADER, *org_rows(count)]).encode()


def database_state():
    return (Org.objects.count(), AuditEntry.objects.count())


# --- zip bombs ------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unpacked_with_little_memory():
    bomb = zip_bomb(["编码", "名称"], unpacked_mb=100)
    assert len(bomb) < 1024 * 1024  # 100 MB of sheet in well under 1 MB
    for limits in (web_limits(), command_limits()):
        tracemalloc.start()
        with pytest.raises(FileFormatError) as refusal:
            read_table(io.BytesIO(bomb), "xlsx", COLUMNS, limits=limits)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 5 * 1024 * 1024, f"refusing the bomb took {peak} bytes"
        assert "压缩炸弹" in str(refusal.value)  # a possible zip bomb


def test_a_zip_bomb_on_the_web_gives_a_message(tree):
    client = admin_import_client(tree)
    page = admin_import(client, "orgs.xlsx", zip_bomb(ORG_HEADER, unpacked_mb=60))
    assert "压缩炸弹" in page  # refused as a possible zip bomb (in ~1 ms: bench/bench_imports.py)
    assert not Org.objects.filter(code__startswith="kit-n").exists()


def test_a_zip_bomb_on_the_command_line_is_exit_1_and_writes_nothing(tree, tmp_path):
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(zip_bomb(ORG_HEADER, unpacked_mb=40))
    before = database_state()
    code, out, err = run_command("import_orgs", str(path))
    assert code == 1
    assert err.startswith("error: ") and "Traceback" not in err
    assert database_state() == before


def test_nested_archives_and_odd_members_are_refused():
    plain = xlsx_bytes([["编码", "名称"], ["zz", "株洲"]])
    assert read_table(io.BytesIO(plain), "xlsx", COLUMNS).rows[0]["code"] == "zz"
    for name in ("xl/embeddings/inner.xlsx", "xl/media/payload.zip", "../escape.xml"):
        with pytest.raises(FileFormatError, match="inner.xlsx|payload.zip|escape.xml"):
            read_table(io.BytesIO(with_member(plain, name, b"PK\x03\x04")), "xlsx", COLUMNS)
    with pytest.raises(FileFormatError):
        read_table(io.BytesIO(b"PK\x03\x04 not really a zip"), "xlsx", COLUMNS)


def test_too_many_members_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(web_limits().max_members + 1):
            archive.writestr(f"xl/part{n}.xml", "<x/>")
    with pytest.raises(FileFormatError, match=str(web_limits().max_members + 1)):
        read_table(io.BytesIO(out.getvalue()), "xlsx", COLUMNS)


# --- hostile XML (defusedxml) ----------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")


@pytest.mark.parametrize("entities,cell", [(BILLION_LAUGHS, "&lol9;"), (XXE, "&xxe;")],
                         ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("member", [SHEET, "xl/workbook.xml"])
def test_entity_declarations_are_refused(entities, cell, member):
    plain = xlsx_bytes([["编码", "名称"], ["zz", "株洲"]])
    hostile = with_member(plain, member, entity_sheet(["编码", "名称"], entities, cell))
    tracemalloc.start()
    with pytest.raises(FileFormatError, match="DTD") as refusal:
        read_table(io.BytesIO(hostile), "xlsx", COLUMNS)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "root:" not in str(refusal.value)  # nothing of /etc/passwd
    assert peak < 20 * 1024 * 1024


def test_without_defusedxml_no_xlsx_is_read(monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(FileFormatError, match="defusedxml"):
        read_table(io.BytesIO(xlsx_bytes([["编码"], ["zz"]])), "xlsx", COLUMNS)


# --- rows, size and cells --------------------------------------------------------------------


def test_too_many_rows_on_the_web_tells_to_split_or_use_the_command_line(tree, settings):
    settings.IMPORT_LIMITS = {"web": {"max_rows": 20}}
    client = admin_import_client(tree)
    assert "第 2 行" not in admin_import(client, "orgs.csv", org_csv(20), dry_run=True)
    page = admin_import(client, "orgs.csv", org_csv(21))
    assert "超过 20 行" in page and "命令行" in page
    page = admin_import(client, "orgs.xlsx", xlsx_bytes([ORG_HEADER, *org_rows(21)]))
    assert "超过 20 行" in page
    assert not Org.objects.filter(code__startswith="kit-n").exists()


def test_too_many_rows_on_the_command_line_is_exit_1_and_writes_nothing(tree, tmp_path, settings):
    settings.IMPORT_LIMITS = {"command": {"max_rows": 30}}
    path = tmp_path / "orgs.csv"
    path.write_bytes(org_csv(31))
    before = database_state()
    code, out, err = run_command("import_orgs", str(path))
    assert code == 1 and err.startswith("error: ") and "30" in err
    assert database_state() == before
    path.write_bytes(org_csv(30))
    assert run_command("import_orgs", str(path))[0] == 0  # the command's own limit, not the web's


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tree, settings):
    settings.IMPORT_LIMITS = {"web": {"max_bytes": 1000}}
    page = admin_import(admin_import_client(tree), "orgs.csv", org_csv(40))
    assert "MB" in page and "命令行" in page
    sheet, staff = open_sheet(tree)
    shown = sheet_upload(client_for(staff), "sheet.csv", b"\xef\xbb\xbf" + b"x" * 2000)
    assert any("MB" in text for text in shown)


def test_a_cell_longer_than_excel_allows_is_a_row_error(tree, settings):
    content = ",".join(ORG_HEADER) + "\nkit-n1," + "工" * 32_768 + ",kit-a,基层工会\n"
    report = import_orgs(io.BytesIO(content.encode()), "csv", actor=SYSTEM)
    assert str(report.errors[0]).startswith("row 2: 名称: ") and "32768" in report.errors[0].message
    assert not Org.objects.filter(code="kit-n1").exists()
    # Longer than the csv module's own field limit (131,072): still a row error.
    content = ",".join(ORG_HEADER) + "\nkit-n1," + "x" * 200_000 + ",kit-a,基层工会\n"
    report = import_orgs(io.BytesIO(content.encode()), "csv", actor=SYSTEM)
    assert str(report.errors[0]).startswith("row 2: 名称: ") and "200000" in report.errors[0].message
    # The limit is a setting, and holds in xlsx files too (openpyxl itself stops at 32,767).
    settings.IMPORT_LIMITS = {"web": {"max_cell_chars": 50}}
    content = xlsx_bytes([ORG_HEADER, ["kit-n1", "工" * 51, "kit-a", "基层工会"]])
    report = import_orgs(io.BytesIO(content), "xlsx", actor=SYSTEM)
    assert str(report.errors[0]).startswith("row 2: 名称: ") and "51" in report.errors[0].message


def test_a_declared_dimension_of_the_whole_sheet_pads_nothing():
    plain = xlsx_bytes([["编码", "名称"], ["zz", "株洲"]])
    source = zipfile.ZipFile(io.BytesIO(plain)).read(SHEET).decode()
    huge = source.replace('<dimension ref="A1:B2" />', '<dimension ref="A1:XFD1048576" />')
    assert huge != source
    rows = list(raw_rows(io.BytesIO(with_member(plain, SHEET, huge.encode())), "xlsx", web_limits()))
    assert rows == [(1, ["编码", "名称"]), (2, ["zz", "株洲"])]  # not 16,384 cells a row
    # A dimension that is too short (some programs write A1:A1) loses no row either.
    short = source.replace('<dimension ref="A1:B2" />', '<dimension ref="A1:B1" />')
    rows = list(raw_rows(io.BytesIO(with_member(plain, SHEET, short.encode())), "xlsx", web_limits()))
    assert rows == [(1, ["编码", "名称"]), (2, ["zz", "株洲"])]


def test_a_row_numbered_past_the_limit_is_refused_without_walking_the_gap():
    plain = xlsx_bytes([["编码", "名称"], ["zz", "株洲"]])
    source = zipfile.ZipFile(io.BytesIO(plain)).read(SHEET).decode()
    far = source.replace('<row r="2">', '<row r="1048576">').replace('r="A2"', 'r="A1048576"')
    assert far != source
    with pytest.raises(FileFormatError, match=str(web_limits().max_rows)):
        read_table(io.BytesIO(with_member(plain, SHEET, far.encode())), "xlsx", COLUMNS)


# --- one transaction, no savepoint per row ------------------------------------------------------


def savepoints_for(rows: int) -> int:
    content = org_csv(rows)
    with CaptureQueriesContext(connection) as queries:
        report = import_orgs(io.BytesIO(content), "csv", actor=SYSTEM)
    assert report.ok, report.errors
    Org.objects.filter(code__startswith="kit-n").delete()
    return sum(1 for query in queries.captured_queries if query["sql"].upper().startswith("SAVEPOINT"))


def test_an_org_import_opens_no_savepoint_per_row(tree):
    assert savepoints_for(5) == savepoints_for(40)


def _savepoints(function, text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = function(io.BytesIO(text.encode()), "csv", actor=SYSTEM)
    report = getattr(report, "report", report)
    assert report.ok, report.errors
    return sum(1 for query in queries.captured_queries if query["sql"].upper().startswith("SAVEPOINT"))


IMPORTS = {
    "duties": (import_duties, lambda n, run: "单位编码,序号,名称\n" + "".join(
        f"kit-a,{i},职责{run}-{i}\n" for i in range(n))),
    "assessment template": (import_templates, lambda n, run: "考核单位编码,年度,序号,考核指标,权重\n" + "".join(
        f"kit-a,{2030 + run},{i},指标{i},{100 // n}\n" for i in range(n))),
    "model workers": (import_model_workers, lambda n, run: "姓名,工作单位编码,级别,获评次数,首次获评年度,是否退休\n"
                      + "".join(f"工人{run}-{i},kit-a-1,市级,1,2010,否\n" for i in range(n))),
}


@pytest.mark.parametrize("name", list(IMPORTS))
def test_no_import_opens_a_savepoint_per_row(tree, name):
    function, text = IMPORTS[name]
    _savepoints(function, text(2, 0))  # the first import creates what later ones update
    assert _savepoints(function, text(4, 1)) == _savepoints(function, text(20, 2))


def test_new_orgs_are_inserted_in_bulk_into_a_sound_tree(tree):
    from orgs.integrity import tree_faults

    def inserts(rows: list[str]) -> int:
        content = ",".join(ORG_HEADER) + "\n" + "\n".join(rows) + "\n"
        with CaptureQueriesContext(connection) as queries:
            report = import_orgs(io.BytesIO(content.encode()), "csv", actor=SYSTEM)
        assert report.ok, report.errors
        return sum(1 for query in queries.captured_queries
                   if query["sql"].startswith('INSERT INTO "orgs_org"'))

    # Children before their parents, two generations deep, beside existing siblings.
    small = inserts(["kit-x1-1,新一一,kit-x1,基层工会", "kit-x1,新一,kit-a,街道工会"])
    large = inserts([f"kit-y-{n},新丙{n},kit-y,基层工会" for n in range(30)] + ["kit-y,新丙,kit-a,街道工会"])
    assert small == large  # one INSERT per generation, not per row
    assert tree_faults() == []
    children = [org.code for org in tree.a.get_children()]
    assert children == ["kit-a-1", "kit-a-2", "kit-x1", "kit-y"]  # after the existing, in file order
    assert Org.objects.get(code="kit-y-29").parent.code == "kit-y"
    assert AuditEntry.objects.filter(action="org.create", object_repr__startswith="新丙").count() == 31
