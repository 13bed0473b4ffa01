"""Pages, exports and PDFs: scoping per role (404 outside), 403 for steps a role may not take,
pinned query counts, PDF text, offline exchange and evidence."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment import services
from assessment.exchange import export_sheet, import_self_assessment
from assessment.models import SheetStatus, Template
from tests.assessment.conftest import grade_all, make_template, named_templates, query_count
from tests.factories import OrgFactory
from tests.kit import ROLES, assert_hidden, assert_visible, client_for
from tests.pdftext import pdf_bookmarks, pdf_text, pdf_words, spread_over_the_line, word_starting
from unionportal.actors import SYSTEM


def sheet_urls(sheet):
    base = f"/assessment/{sheet.year}/{sheet.org.code}"
    return [f"{base}/", f"{base}.pdf", f"{base}.xlsx", f"{base}.csv"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_sheets_and_nothing_outside(world, users, role):
    client = client_for(users[role])
    for url in sheet_urls(world["a1"]):
        assert_visible(client, url)
    hidden = [world["b1"]] + ([world["a2"]] if role == "staff" else [])
    for sheet in hidden:
        for url in sheet_urls(sheet):
            assert_hidden(client, url)
    assert_hidden(client, "/assessment/rounds/kit-b/2026/")
    assert_hidden(client, "/assessment/rounds/kit-b/2026/ranking/")
    assert_hidden(client, "/assessment/rounds/kit-b/2026/results.xlsx")
    assert_hidden(client, "/assessment/rounds/kit-b/2026.pdf")
    assert_hidden(client, f"/assessment/templates/{world['b1'].template_id}/")
    page = client.get("/assessment/").content.decode()
    assert "乙一基层工会" not in page


@pytest.mark.parametrize("role", ["reviewer", "scorer", "clerk", "admin"])
def test_the_board_and_ranking_of_a_visible_round(world, users, role):
    client = client_for(users[role])
    for url in ("/assessment/rounds/kit-a/2026/", "/assessment/rounds/kit-a/2026/ranking/",
                "/assessment/rounds/kit-a/2026/results.xlsx", "/assessment/rounds/kit-a/2026.pdf"):
        assert_visible(client, url)


def test_steps_a_role_may_not_take_answer_403(world, users):
    url = "/assessment/2026/kit-a-1/"
    for role in ("reviewer", "scorer", "clerk", "admin"):
        client = client_for(users[role])
        assert client.post(url + "fill/", {"version": 1}).status_code == 403
        assert client.post(url + "upload/", {}).status_code == 403
    response = client_for(users["clerk"]).post(url + "review/", {"version": 1})
    assert response.status_code == 403
    assert client_for(users["staff"]).post("/assessment/rounds/kit-a/2026/", {}).status_code == 404


def test_staff_fill_in_and_submit_through_the_page(world, users):
    sheet = world["a1"]
    client = client_for(users["staff"])
    data = {"version": sheet.version, "action": "submit"}
    for unit in sheet.units.all():
        data[f"grade-{unit.pk}"] = "full"
        data[f"docs-{unit.pk}"] = "on"
        data[f"note-{unit.pk}"] = "已完成"
    unit = sheet.units.get(seq="2")
    data[f"grade-{unit.pk}"] = "basic"
    response = client.post("/assessment/2026/kit-a-1/fill/", data)
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and str(sheet.self_total) == "92.50"
    client.get(response["Location"])  # shows (and clears) the message of the first click
    again = client.post("/assessment/2026/kit-a-1/fill/", data)  # the double click
    assert again.status_code == 302 and again["Location"] == "/assessment/2026/kit-a-1/?assessor=kit-a"
    assert [(m.level_tag, str(m)) for m in get_messages(again.wsgi_request)] == [("info", "考核表已经提交过了。")]
    sheet.refresh_from_db()
    assert sheet.submissions == 1 and sheet.events.filter(kind="submitted").count() == 1


def test_a_stale_review_form_is_told_of_the_conflict_and_keeps_its_input(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    sheet.refresh_from_db()
    unit = sheet.units.get(seq="2")
    client = client_for(users["reviewer"])
    first = {"version": sheet.version, "action": "save", f"rgrade-{unit.pk}": "basic", f"rnote-{unit.pk}": "甲意见"}
    assert client.post("/assessment/2026/kit-a-1/review/", first).status_code == 302
    second = {**first, f"rgrade-{unit.pk}": "none", f"rnote-{unit.pk}": "乙的意见不能丢"}
    response = client.post("/assessment/2026/kit-a-1/review/", second)
    assert response.status_code == 409
    assert "乙的意见不能丢" in response.content.decode()
    unit.refresh_from_db()
    assert unit.review_note == "甲意见"


def _queryquery_count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_board_and_ranking_use_a_constant_number_of_queries(tree, users):
    import datetime as dt

    make_template(tree.a)
    opened = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026, deadline=dt.date(2026, 1, 31))
    first = opened.round.sheets.first()
    grade_all(first)
    services.apply_transition(name="submit", actor=SYSTEM, sheet=first)
    services.apply_transition(name="pass", actor=SYSTEM, sheet=first)
    services.remind(actor=SYSTEM, round=opened.round)
    client = client_for(users["scorer"])
    board = "/assessment/rounds/kit-a/2026/"
    ranking = "/assessment/rounds/kit-a/2026/ranking/"
    few = (_queryquery_count(client, board), _queryquery_count(client, ranking))
    for n in range(30):
        OrgFactory(code=f"kit-a-x{n}", parent=tree.a)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    for sheet in tree.a.assessment_rounds.get().sheets.filter(status="draft")[:10]:
        grade_all(sheet)
        services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
        services.apply_transition(name="pass", actor=SYSTEM, sheet=sheet)
    many = (_queryquery_count(client, board), _queryquery_count(client, ranking))
    assert few == many


def test_the_sheet_pdf_in_the_official_layout(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    services.save_review(actor=users["reviewer"], sheet=sheet,
                         entries={"2": services.Entry(grade="basic", docs=True, note="民主管理材料不够完整")})
    response = client_for(users["clerk"]).get("/assessment/2026/kit-a-1.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("2026年度工作考核细则", "单位：甲一基层工会", "序号", "考核指标", "扣分方法",
                     "权重", "自评分", "考核得分", "审核意见", "民主管理材料不够完整", "合计", "100",
                     "负责人签字", "考核人签字", "日期"):
        assert expected in text, expected
    # The unit line spread from the left edge to the right; the assessor's signature block at
    # the right, beside the union's.
    assert spread_over_the_line(response.content, "单位：甲一基层工会", "状态：")
    words = pdf_words(response.content)
    union_signs, assessor_signs = word_starting(words, "负责人签字"), word_starting(words, "考核人签字")
    assert union_signs["page"] == assessor_signs["page"]
    assert union_signs["left"] < 0.15 * union_signs["page_width"] < 0.5 * union_signs["page_width"] < assessor_signs["left"]


def test_one_pdf_per_round_with_a_bookmark_per_sheet(world, users):
    response = client_for(users["scorer"]).get("/assessment/rounds/kit-a/2026.pdf")
    bookmarks = pdf_bookmarks(response.content)
    assert bookmarks == ["甲一基层工会", "甲二基层工会"]


def test_exchange_file_round_trip_and_row_errors(world, users):
    sheet = world["a1"]
    target = io.BytesIO()
    export_sheet(target, "xlsx", sheet)
    workbook = load_workbook(io.BytesIO(target.getvalue()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "考核指标", "考核内容", "分值", "自评等级", "资料齐全", "自评说明", "自评分",
                       "审核等级", "审核资料齐全", "审核意见", "考核得分")
    assert [r[0] for r in rows[1:]] == ["1.1", "1.2", "1.3", "2", "3", "4", "合计"]
    assert rows[-1][3] == 100  # a number cell, so SUM works
    sheet_ws = workbook.active
    for row in range(2, 8):
        sheet_ws.cell(row=row, column=5, value="全面完成")
        sheet_ws.cell(row=row, column=6, value="是")
    sheet_ws.cell(row=5, column=5, value="基本完成")
    sheet_ws.cell(row=6, column=6, value="")  # 资料齐全 missing where a grade is given
    sheet_ws.cell(row=7, column=1, value="9")  # unknown 序号
    bad = io.BytesIO()
    workbook.save(bad)
    report = import_self_assessment(io.BytesIO(bad.getvalue()), "xlsx", sheet, actor=users["staff"])
    assert [str(p) for p in report.errors] == [
        "row 6: 资料齐全: 填写了自评等级时必填（是 或 否）。", "row 7: 序号: 本考核表没有序号 9。"]
    sheet.refresh_from_db()
    assert sheet.self_total in (None, 0)  # nothing half-applied
    sheet_ws.cell(row=6, column=6, value="否")
    sheet_ws.cell(row=7, column=1, value="4")
    good = io.BytesIO()
    workbook.save(good)
    client = client_for(users["staff"])
    response = client.post("/assessment/2026/kit-a-1/upload/",
                           {"file": SimpleUploadedFile("sheet.xlsx", good.getvalue())})
    assert response.status_code == 302
    sheet.refresh_from_db()
    # 1: 10+5+5 = 20; 2: 25 × 0.7 = 17.5; 3: 25 × 0.8 = 20; 4: 30
    assert str(sheet.self_total) == "87.50"
    assert sheet.events.filter(kind="imported").exists()


def test_a_returned_sheet_accepts_only_changes_to_returned_units(world, users):
    sheet = grade_all(world["a1"], actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    services.apply_transition(name="return", actor=users["reviewer"], sheet=sheet, reasons={"2": "补充材料"})
    csv_text = "序号,自评等级,资料齐全,自评说明\n2,基本完成,是,已补充\n3,未完成,是,说明\n"
    report = import_self_assessment(io.BytesIO(csv_text.encode()), "csv", sheet, actor=users["staff"])
    assert [str(p) for p in report.errors] == ["row 3: 序号: 序号 3 未被退回；只能修改退回的项目。"]
    report = import_self_assessment(io.BytesIO(csv_text.split("3,")[0].encode()), "csv", sheet, actor=users["staff"])
    assert report.ok and report.updated == 1
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    report = import_self_assessment(io.BytesIO(csv_text.encode()), "csv", sheet, actor=users["staff"])
    assert report.errors and str(report.errors[0]).startswith("error: ")


PDF = b"%PDF-1.4\n%test\n"


def test_evidence_is_checked_stored_outside_the_web_root_and_served_through_the_gate(world, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sheet = world["a1"]
    unit = sheet.units.get(seq="2")
    client = client_for(users["staff"])
    data = {"version": sheet.version, "action": "save",
            f"evidence-{unit.pk}": [SimpleUploadedFile("会议记录.pdf", PDF, "application/pdf"),
                                    SimpleUploadedFile("evil.pdf", b"<script>", "application/pdf"),
                                    SimpleUploadedFile("tool.exe", b"MZ", "application/octet-stream")]}
    response = client.post("/assessment/2026/kit-a-1/fill/", data)
    assert response.status_code == 302
    evidence = unit.evidence.get()
    assert evidence.name == "会议记录.pdf"
    assert str(tmp_path) in evidence.file.path and "static" not in evidence.file.path
    url = f"/assessment/evidence/{evidence.pk}/"
    for role in ("staff", "reviewer", "clerk"):
        response = client_for(users[role]).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    outsider = OrgFactory(code="kit-b-2", parent=world["tree"].b)
    from tests.factories import GrantFactory, UserFactory
    stranger = UserFactory(username="stranger")
    GrantFactory(user=stranger, role="reviewer", org=outsider.parent)
    assert_hidden(client_for(stranger), url)


def test_home_shows_the_staffs_assessment_work_and_reminders(world, users):
    services.remind(actor=SYSTEM, round=world["round_a"], message="请尽快提交")
    page = client_for(users["staff"]).get("/").content.decode()
    assert "/assessment/2026/kit-a-1/" in page
    sheet_page = client_for(users["staff"]).get("/assessment/2026/kit-a-1/").content.decode()
    assert "请尽快提交" in sheet_page


def test_index_and_open_round_page_queries_do_not_grow_with_templates(tree, users):
    client = client_for(users["admin"])
    named_templates(tree, range(2000, 2002))
    few = (query_count(client, "/assessment/"), query_count(client, "/assessment/rounds/kit-a/open/"))
    named_templates(tree, range(2002, 2012))
    assert Template.objects.count() == 12
    many = (query_count(client, "/assessment/"), query_count(client, "/assessment/rounds/kit-a/open/"))
    assert few == many
    page = client.get("/assessment/").content.decode()
    assert "甲一基层工会、甲二基层工会" in page
