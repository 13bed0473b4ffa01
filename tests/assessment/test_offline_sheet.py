"""The offline sheet (export_sheet .xlsx): number cells, drop-down lists, a frozen header,
widths for Chinese text, locked item text; it still imports after LibreOffice re-saved it.
The round's results export has number cells too."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from assessment import services
from assessment.exchange import export_sheet, import_self_assessment
from tests.assessment.conftest import grade_all
from tests.kit import client_for
from tests.spreadsheets import convert, libreoffice_sums
from unionportal.actors import SYSTEM
from unionportal.tabular import _display_width

HEADERS = ["序号", "考核指标", "考核内容", "分值", "自评等级", "资料齐全", "自评说明", "自评分",
           "审核等级", "审核资料齐全", "审核意见", "考核得分"]


def exported(sheet) -> bytes:
    target = io.BytesIO()
    export_sheet(target, "xlsx", sheet)
    return target.getvalue()


def letter(header: str) -> str:
    return "ABCDEFGHIJKL"[HEADERS.index(header)]


def validations_by_column(worksheet):
    found = {}
    for validation in worksheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found["ABCDEFGHIJKL"[cell_range.min_col - 1]] = validation
    return found


def test_points_and_scores_are_number_cells_seq_stays_text(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    worksheet = load_workbook(io.BytesIO(exported(sheet))).active
    rows = list(worksheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == ["1.1", "1.2", "1.3", "2", "3", "4", "合计"]
    assert all(row[0].data_type == "s" for row in rows)
    points = [row[3] for row in rows]
    assert [cell.value for cell in points] == [10, 5, 5, 25, 25, 30, 100]
    assert all(cell.data_type == "n" and cell.number_format == "0" for cell in points)
    scores = [row[7] for row in rows]
    assert all(cell.data_type == "n" and cell.number_format == "0.00" for cell in scores)
    assert Decimal(str(scores[-1].value)) == sheet.self_total == 100
    assert {row[5].value for row in rows[:-1]} == {"是"} and rows[0][5].data_type == "s"


def test_libreoffice_sums_the_points_and_scores(world, users, tmp_path):
    sheet = grade_all(world["a1"], grade="basic", actor=users["staff"])
    units = list(sheet.units.all())
    last = len(units) + 1
    points, scores = libreoffice_sums(exported(sheet), [f"D2:D{last}", f"H2:H{last}"], tmp_path)
    assert Decimal(points) == sum(unit.points for unit in units) == 100
    assert Decimal(scores) == sum(unit.self_score for unit in units) == 70


def test_drop_downs_frozen_header_widths_and_protection(world):
    worksheet = load_workbook(io.BytesIO(exported(world["a1"]))).active
    last = worksheet.max_row - 1  # the 合计 row has no inputs
    validations = validations_by_column(worksheet)
    grades, docs = validations[letter("自评等级")], validations[letter("资料齐全")]
    assert grades.type == "list" and grades.formula1 == '"全面完成,基本完成,未完成"'
    assert docs.type == "list" and docs.formula1 == '"是,否"'
    assert str(grades.sqref) == f"E2:E{last}" and str(docs.sqref) == f"F2:F{last}"
    assert grades.showErrorMessage and grades.allow_blank
    assert worksheet.freeze_panes in ("A2", "B2", "C2")  # the header row stays in view
    assert worksheet.protection.sheet and not worksheet.protection.password
    for row in range(2, last + 1):
        for header in HEADERS:
            locked = worksheet[f"{letter(header)}{row}"].protection.locked
            assert locked == (header not in ("自评等级", "资料齐全", "自评说明")), (header, row)
    assert worksheet[f"E{last + 1}"].protection.locked  # nothing to fill on the 合计 row
    for header in HEADERS:
        width = worksheet.column_dimensions[letter(header)].width
        assert width >= _display_width(header), header  # a Chinese header fits its column
    assert worksheet.column_dimensions[letter("自评等级")].width >= _display_width("全面完成")
    assert worksheet["C2"].alignment.wrap_text  # long 考核内容 wraps instead of overflowing


def test_the_sheet_round_trips_through_libreoffice(world, users, tmp_path):
    sheet = world["a1"]
    source = tmp_path / "sheet.xlsx"
    source.write_bytes(exported(sheet))
    # Staff fill it in (openpyxl keeps the validation and protection), then LibreOffice saves it.
    workbook = load_workbook(source)
    worksheet = workbook.active
    for row in range(2, worksheet.max_row):
        worksheet[f"E{row}"] = "全面完成"
        worksheet[f"F{row}"] = "是"
        worksheet[f"G{row}"] = "已按要求完成"
    worksheet["E5"] = "基本完成"
    worksheet["F6"] = "否"
    workbook.save(source)
    resaved = convert(source, "xlsx", tmp_path / "libreoffice")
    again = load_workbook(resaved).active
    assert again.protection.sheet  # LibreOffice keeps the protection…
    kept = validations_by_column(again)  # …and the drop-downs
    assert kept[letter("自评等级")].formula1 == '"全面完成,基本完成,未完成"'
    with resaved.open("rb") as source_file:
        report = import_self_assessment(source_file, "xlsx", sheet, actor=users["staff"])
    assert report.ok, [str(p) for p in report.errors]
    sheet.refresh_from_db()
    # 1: 10+5+5 = 20; 2: 25 × 0.7 = 17.5; 3: 25 × 0.8 = 20; 4: 30
    assert sheet.self_total == Decimal("87.50")
    assert sheet.units.get(seq="1.1").self_note == "已按要求完成"


def test_round_results_are_number_cells(world, users):
    for sheet, grade in ((world["a1"], "full"), (world["a2"], "basic")):
        grade_all(sheet, grade=grade)
        services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
        services.apply_transition(name="pass", actor=SYSTEM, sheet=sheet)
        services.apply_transition(name="finalise", actor=SYSTEM, sheet=sheet)
    response = client_for(users["admin"]).get("/assessment/rounds/kit-a/2026/results.xlsx")
    worksheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in worksheet[1]]
    rows = list(worksheet.iter_rows(min_row=2))
    assert len(rows) == 2
    for row in rows:
        cells = dict(zip(headers, row, strict=True))
        assert cells["名次"].data_type == "n" and cells["编码"].data_type == "s"
        assert cells["自评分"].data_type == "n" and cells["自评分"].number_format == "0.00"
        assert cells["考核得分"].data_type == "n"
    assert sorted(dict(zip(headers, r, strict=True))["考核得分"].value for r in rows) == [70, 100]
