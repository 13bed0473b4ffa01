"""Working behaviour that had no test: ``?assessor=`` on the sheet page and PDF, ``--assessor``
on export_sheet and import_self_assessment, opening a round and copying a template in the
browser, reopening (reason required, logged), finalising a round, the ranking's year-on-year
change, and open_round naming the assessees of every template it copies."""

from decimal import Decimal

from django.contrib.messages import get_messages

from assessment import services
from assessment.models import AssesseeRule, Round, Sheet, SheetEvent, SheetStatus, Template
from tests.assessment.conftest import grade_all, make_template
from tests.commands import run_command
from tests.kit import client_for
from tests.pdftext import pdf_text
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry


def run(*args):
    return run_command(*args)


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_assessor_picks_the_sheet_on_the_page_and_the_pdf(two_assessors, users):
    client = client_for(users["staff"])
    base = "/assessment/2026/kit-a-1"
    assert client.get(f"{base}/").context["sheet"].assessor.code == "kit-a"  # the nearest by default
    page = client.get(f"{base}/?assessor=kit")
    assert page.context["sheet"] == two_assessors["root_sheet"]
    assert "市总专项指标" in page.content.decode()
    assert [s.assessor.code for s in page.context["others"]] == ["kit-a"]
    assert "2026年度市总专项考核" in pdf_text(client.get(f"{base}.pdf?assessor=kit").content)
    assert "2026年度市总专项考核" not in pdf_text(client.get(f"{base}.pdf?assessor=kit-a").content)
    assert "2026年度市总专项考核" not in pdf_text(client.get(f"{base}.pdf").content)
    for query in ("kit-b", "nowhere"):
        assert client.get(f"{base}/?assessor={query}").status_code == 404
        assert client.get(f"{base}.pdf?assessor={query}").status_code == 404


def test_assessor_option_of_export_sheet_and_import_self_assessment(two_assessors, tmp_path):
    several = "kit-a-1 在 2026 年度有多个考核单位的考核表；请用 --assessor 指定一个。"
    path = tmp_path / "sheet.csv"
    code, _out, err = run("export_sheet", "kit-a-1", "2026", str(path))
    assert code == 1 and err.strip() == f"error: {several}" and not path.exists()
    assert run("export_sheet", "kit-a-1", "2026", str(path), "--assessor", "kit")[0] == 0
    text = path.read_text(encoding="utf-8-sig")
    assert "市总专项指标" in text and "指标2" not in text
    assert run("export_sheet", "kit-a-1", "2026", str(path), "--assessor", "kit-b")[0] == 1
    assert run("export_sheet", "kit-a-1", "2026", str(path), "--assessor", "kit-a")[0] == 0
    assert "指标2" in path.read_text(encoding="utf-8-sig")
    filled = tmp_path / "filled.csv"
    filled.write_text("序号,自评等级,资料齐全,自评说明\n1,基本完成,是,市总专项\n", encoding="utf-8")
    code, _out, err = run("import_self_assessment", "kit-a-1", "2026", str(filled))
    assert code == 1 and err.strip() == f"error: {several}"
    code, _out, err = run("import_self_assessment", "kit-a-1", "2026", str(filled), "--assessor", "kit")
    assert code == 0, err
    root_sheet = Sheet.objects.get(pk=two_assessors["root_sheet"].pk)
    assert root_sheet.self_total == Decimal("70.00")
    assert Sheet.objects.get(pk=two_assessors["a1"].pk).self_total in (None, 0)


def test_opening_a_round_in_the_browser_copies_the_templates_and_names_their_assessees(world, users):
    client = client_for(users["admin"])
    url = "/assessment/rounds/kit-a/open/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": "2027", "deadline": "2027-12-31"})
    assert response.status_code == 302 and response["Location"] == "/assessment/rounds/kit-a/2027/"
    assert _messages(response) == [
        ("info", "已将 2026 年度模板“2027年度工作考核细则”（考核对象：全部直属下级）复制到 2027 年度。"),
        ("success", "2027 年度考核已开启：新建考核表 2 份。")]
    round_ = Round.objects.get(assessor=world["tree"].a, year=2027)
    assert str(round_.deadline) == "2027-12-31" and round_.sheets.count() == 2
    assert client_for(users["reviewer"]).post(url, {"year": "2028"}).status_code == 403
    assert client_for(users["staff"]).post(url, {"year": "2028"}).status_code == 404
    assert client_for(users["admin"]).post("/assessment/rounds/kit-b/open/", {"year": "2028"}).status_code == 404
    assert not Round.objects.filter(year=2028).exists()
    response = client.post(url, {"year": "1999"})
    assert response.status_code == 200 and not Round.objects.filter(year=1999).exists()


def test_copying_a_template_to_a_new_year_in_the_browser(world, users):
    template = world["a1"].template
    url = f"/assessment/templates/{template.pk}/"
    client = client_for(users["admin"])
    response = client.post(url, {"year": "2030"})
    copy = Template.objects.get(assessor=world["tree"].a, year=2030)
    assert response.status_code == 302 and response["Location"] == f"/assessment/templates/{copy.pk}/"
    assert copy.copied_from == template and copy.title == "2030年度工作考核细则"
    assert copy.indicators.count() == template.indicators.count()
    assert AuditEntry.objects.filter(action="assessment.template.copy", object_id=str(copy.pk)).exists()
    client.get(response["Location"])  # shows (and clears) the message
    again = client.post(url, {"year": "2030"})
    assert again.status_code == 200 and Template.objects.filter(year=2030).count() == 1
    assert [level for level, _text in _messages(again)] == ["error"]
    for role in ("reviewer", "scorer", "clerk"):
        assert client_for(users[role]).post(url, {"year": "2031"}).status_code == 403, role
    assert not Template.objects.filter(year=2031).exists()


def _final(sheet, grade="full"):
    grade_all(sheet, grade=grade)
    services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
    services.apply_transition(name="pass", actor=SYSTEM, sheet=sheet)
    services.apply_transition(name="finalise", actor=SYSTEM, sheet=sheet)
    sheet.refresh_from_db()
    return sheet


def test_reopening_needs_a_reason_and_is_logged(world, users):
    sheet = _final(world["a1"])
    url = "/assessment/2026/kit-a-1/reopen/"
    client = client_for(users["scorer"])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 302 and _messages(response) == [("error", "请填写重新开启的理由。")]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.FINAL
    for role in ("reviewer", "admin", "clerk"):
        assert client_for(users[role]).post(url, {"reason": "复核"}).status_code == 403, role
    client.get("/assessment/")  # clear the messages
    response = client.post(url, {"reason": "复核第2项得分"})
    assert response.status_code == 302 and _messages(response) == [("success", "已重新开启评分；理由已记入历史。")]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SCORED and sheet.finalised_at is None
    event = sheet.events.get(kind=SheetEvent.Kind.REOPENED)
    assert event.comment == "复核第2项得分" and event.actor == users["scorer"]
    entry = AuditEntry.objects.get(action="assessment.sheet.reopen")
    assert entry.comment == "复核第2项得分" and entry.before["status"] == "final" and entry.after["status"] == "scored"
    assert "复核第2项得分" in client.get("/assessment/2026/kit-a-1/").content.decode()


def test_finalising_a_round_in_the_browser(world, users):
    for key in ("a1", "a2"):
        sheet = grade_all(world[key])
        services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
        services.apply_transition(name="pass", actor=SYSTEM, sheet=sheet)
    services.apply_transition(name="score", actor=SYSTEM, sheet=world["a2"])
    response = client_for(users["scorer"]).post("/assessment/rounds/kit-a/2026/finalise/")
    assert response.status_code == 302 and _messages(response) == [("success", "已定稿 2 份考核表。")]
    assert set(world["round_a"].sheets.values_list("status", flat=True)) == {SheetStatus.FINAL}
    assert client_for(users["admin"]).post("/assessment/rounds/kit-a/2026/finalise/").status_code == 403


def test_the_ranking_shows_the_change_against_last_year(tree, users):
    make_template(tree.a, year=2025)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2025)
    _final(Sheet.objects.get(year=2025, org=tree.a1), grade="basic")  # 70
    _final(Sheet.objects.get(year=2025, org=tree.a2))  # 100
    make_template(tree.a, year=2026)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    _final(Sheet.objects.get(year=2026, org=tree.a1))  # 100
    _final(Sheet.objects.get(year=2026, org=tree.a2), grade="basic")  # 70
    response = client_for(users["scorer"]).get("/assessment/rounds/kit-a/2026/ranking/")
    ranking = response.context["ranking"]
    assert ranking.previous_year == 2025
    assert [(r.code, r.rank, r.total, r.previous, r.change) for r in response.context["page"]] == [
        ("kit-a-1", 1, Decimal("100.00"), Decimal("70.00"), Decimal("30.00")),
        ("kit-a-2", 2, Decimal("70.00"), Decimal("100.00"), Decimal("-30.00"))]
    page = response.content.decode()
    assert "▲ 30" in page and "▼ 30" in page and "与 2025 年度比较" in page
    first_year = client_for(users["scorer"]).get("/assessment/rounds/kit-a/2025/ranking/").context
    assert first_year["ranking"].previous_year is None and all(r.change is None for r in first_year["page"])


def test_open_round_names_the_assessees_of_every_copied_template(tree):
    for org in (tree.a1, tree.a2):
        make_template(tree.a, year=2025, rule=AssesseeRule.NAMED, assessees=[org])
    code, out, err = run("open_round", "kit-a", "2026")
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("已将")]
    assert sorted(lines) == [
        "已将 2025 年度模板“2026年度工作考核细则”（考核对象：甲一基层工会）复制到 2026 年度。",
        "已将 2025 年度模板“2026年度工作考核细则”（考核对象：甲二基层工会）复制到 2026 年度。"]
