"""Exported xlsx files write quantities as number cells and dates as date cells, so a SUM in
WPS, Excel or LibreOffice totals them; codes, 序号 and yes/no stay text, formula-like text stays
escaped (interfaces.md, File formats).  The sheet and round results are in
tests/assessment/test_offline_sheet.py."""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

from openpyxl import load_workbook

from duties.exchange import export_duties
from duties.models import CatalogueVersion
from orgs.exchange import export_orgs
from orgs.governance.exports import write_overdue
from orgs.models import Org
from services.budget import budget_report, report_headers, write_budget
from services.exchange import export_model_workers
from services.models import ModelWorker
from tests.duties.helpers import plain_catalogue
from tests.factories import OrgFactory
from tests.services.test_budget_and_funds import langfang  # noqa: F401  (fixture)
from tests.spreadsheets import libreoffice_sums
from unionportal.tabular import Number, write_table


def workbook_of(write, *args):
    buffer = io.BytesIO()
    write(buffer, "xlsx", *args)
    return buffer.getvalue(), load_workbook(io.BytesIO(buffer.getvalue())).active


def column_cells(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def test_write_table_types_each_value():
    rows = [["1.2", "=SUM(A1)", 1234, Decimal("17.50"), Number(2016, "0"), dt.date(2026, 3, 1), True, None]]
    buffer = io.BytesIO()
    write_table(buffer, "xlsx", list("ABCDEFGH"), rows)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    seq, formula, count, score, year, day, yes, blank = sheet[2]
    assert (seq.data_type, seq.value) == ("s", "1.2")  # 序号 stays text
    assert formula.data_type == "s" and formula.quotePrefix
    assert (count.data_type, count.value, count.number_format) == ("n", 1234, "#,##0")
    assert (score.data_type, score.value, score.number_format) == ("n", 17.5, "#,##0.00")
    assert (year.value, year.number_format) == (2016, "0")
    assert day.is_date and day.value.date() == dt.date(2026, 3, 1) and day.number_format == "yyyy-mm-dd"
    assert (yes.data_type, yes.value) == ("s", "是")
    assert blank.value in (None, "")
    buffer = io.BytesIO()
    write_table(buffer, "csv", list("ABCDEFGH"), rows + [[Decimal("-2.5"), "-2.5"]])
    lines = buffer.getvalue().decode("utf-8-sig").splitlines()
    assert lines[1] == "1.2,'=SUM(A1),1234,17.5,2016,2026-03-01,是,"
    assert lines[2] == "-2.5,'-2.5"  # a negative number is a number; the same text is escaped


def test_orgs_export_counts_are_numbers_codes_text(db):
    root = OrgFactory(code="zz", name="市总工会", kind="federation", members=1200, workers=1500)
    OrgFactory(code="zz-1", name="=一号", parent=root, members=300, workers=None)
    _data, sheet = workbook_of(export_orgs, Org.objects.all())
    members = column_cells(sheet, "会员数")
    assert [c.value for c in members] == [1200, 300]
    assert all(c.data_type == "n" and c.number_format == "#,##0" for c in members)
    assert column_cells(sheet, "职工数")[1].value in (None, "")
    assert all(c.data_type == "s" for c in column_cells(sheet, "编码"))
    name = column_cells(sheet, "名称")[1]
    assert name.data_type == "s" and name.quotePrefix


def test_duties_export_keeps_numbers_text(db):
    org = OrgFactory(code="fx", name="测试工会")
    plain_catalogue(org, texts=["甲", "乙"])
    versions = list(CatalogueVersion.objects.prefetch_related("main_duties", "items"))
    _data, sheet = workbook_of(export_duties, versions)
    assert all(c.data_type == "s" for c in column_cells(sheet, "序号"))


def test_model_workers_honours_and_years_are_numbers(langfang):  # noqa: F811
    _data, sheet = workbook_of(export_model_workers, ModelWorker.objects.all())
    honours = column_cells(sheet, "获评次数")
    assert honours and all(isinstance(c.value, int) and c.number_format == "#,##0" for c in honours)
    years = column_cells(sheet, "首次获评年度")
    assert all(isinstance(c.value, int) and c.number_format == "0" for c in years)
    assert {c.value for c in column_cells(sheet, "是否退休")} <= {"是", "否"}
    assert sum(c.value for c in honours) == sum(w.honours for w in ModelWorker.objects.all())


def test_budget_amounts_are_numbers_and_libreoffice_sums_them(langfang, tmp_path):  # noqa: F811
    report = budget_report(langfang, 2016)
    data, sheet = workbook_of(write_budget, report)
    amounts = column_cells(sheet, report_headers()[3])
    assert all(c.data_type == "n" and c.number_format == "#,##0" for c in amounts)
    assert amounts[-1].value == report.total
    tiers = len(report.tiers)
    # The tier rows (2 … tiers+1) add up to the allowance total, in LibreOffice too.
    people, amount = libreoffice_sums(data, [f"B2:B{tiers + 1}", f"D2:D{tiers + 1}"], tmp_path)
    assert int(amount) == report.allowance_total == 436_500
    assert int(people) == sum(tier.people for tier in report.tiers)


def test_overdue_due_dates_are_date_cells(db):
    lines = [(SimpleNamespace(code="a", name="甲", get_kind_display=lambda: "基层工会"),
              SimpleNamespace(label="换届", requirement="五年一届"),
              SimpleNamespace(status=SimpleNamespace(label="逾期"), detail="", due=due))
             for due in (dt.date(2026, 9, 30), None)]
    buffer = io.BytesIO()
    write_overdue(buffer, "xlsx", lines)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    first, second = (row[7] for row in sheet.iter_rows(min_row=2))
    assert first.is_date and first.value.date() == dt.date(2026, 9, 30)
    assert second.value in (None, "")
