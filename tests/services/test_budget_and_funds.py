"""Seed 002's arithmetic: the model-worker budget, the union-fund split, the mutual-aid rule."""

import io
from functools import cache

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from fixtures.langfang import parse_langfang_figures
from orgs.models import Org
from services import funds
from services.budget import budget_report
from services.models import BudgetRate, ModelWorker, MutualAidRound
from services.seeding import LF_ENTERPRISES, LF_VANISHED, langfang_register
from tests.factories import OrgFactory
from tests.pdftext import pdf_text
from unionportal.actors import SYSTEM


@cache
def figures():
    return parse_langfang_figures()


@pytest.fixture
def langfang(db):
    lf = OrgFactory(code="lf", name="廊坊市总工会", kind="federation")
    for seed in LF_ENTERPRISES:
        OrgFactory(code=seed.code, name=seed.name, parent=lf)
    for seed in LF_VANISHED:
        OrgFactory(code=seed.code, name=seed.name, parent=lf, is_active=False)
    orgs = {org.code: org for org in Org.objects.all()}
    ModelWorker.objects.bulk_create(ModelWorker(**{**row, "org": orgs[row["org"]]})
                                    for row in langfang_register())
    return lf


def test_demo_register_reproduces_seed_002(langfang):
    report = budget_report(langfang, 2016)
    assert report.allowance_total == figures().allowance_total == 436_500
    assert report.health_total == figures().health_check_total == 222_800
    assert report.counted == 557 and report.retirees == 277
    assert [(t.people, t.rate) for t in report.tiers] == [(245, 1500), (22, 2000), (10, 2500)]
    assert report.vanished == figures().allowance_bankrupt_enterprise_people == 6
    assert (report.not_counted_dead, report.not_counted_later) == (2, 2)


def test_the_counting_rule(langfang):
    unit = Org.objects.get(code="lf-gd")
    before = budget_report(langfang, 2016)
    base = {"org": unit, "level": "city", "honours": 2, "first_year": 2016, "retired": True}
    ModelWorker.objects.create(name="甲", **base)  # counts: honoured in the year
    ModelWorker.objects.create(name="乙", **{**base, "first_year": 2017})  # later: not yet
    ModelWorker.objects.create(name="丙", **{**base, "alive": False})  # deceased
    ModelWorker.objects.create(name="丁", **{**base, "retired": False, "level": "national"})  # check only
    ModelWorker.objects.create(name="戊", **{**base, "honours": 7})  # three or more
    after = budget_report(langfang, 2016)
    assert after.allowance_total - before.allowance_total == 2000 + 2500
    assert after.health_total - before.health_total == 3 * 400


def test_rates_per_year_from_the_admin(langfang):
    BudgetRate.objects.create(org=langfang, year=2017, allowance_one=1600, allowance_two=2100,
                              allowance_three=2600, health_check=500)
    assert budget_report(langfang, 2016).allowance_total == 436_500
    report = budget_report(langfang, 2017)
    assert report.tiers[0].rate == 1600 and report.health_rate == 500


def test_budget_of_a_subtree(langfang):
    report = budget_report(Org.objects.get(code="lf-mf"), 2016)
    assert report.counted == report.retirees == report.vanished


def test_budget_command_prints_and_writes_pdf_and_xlsx(langfang, tmp_path):
    out = io.StringIO()
    call_command("model_worker_budget", "lf", "2016", str(tmp_path / "b.pdf"), stdout=out)
    assert "436,500" in out.getvalue() and "222,800" in out.getvalue()
    text = "".join(pdf_text((tmp_path / "b.pdf").read_bytes()).split())
    assert "廊坊市总工会2016年度劳模经费预算" in text
    assert "436,500" in text and "222,800" in text and "含破产或撤销企业劳模6人" in text
    call_command("model_worker_budget", "lf", "2016", str(tmp_path / "b.xlsx"), stdout=io.StringIO())
    sheet = load_workbook(tmp_path / "b.xlsx").active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["荣誉津贴合计", 277, None, 436500] in values  # number cells


def test_budget_command_exit_codes(langfang, tmp_path, capsys):
    with pytest.raises(SystemExit) as unknown:
        call_command("model_worker_budget", "nope", "2016")
    assert unknown.value.code == 1
    with pytest.raises(SystemExit) as usage:
        call_command("model_worker_budget", "lf", "2016", str(tmp_path / "b.docx"))
    assert usage.value.code == 2
    assert not (tmp_path / "b.docx").exists()


def test_budget_page_and_exports(langfang, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(admin)
    page = client.get("/services/org/lf/budget/2016/").content.decode()
    assert "436,500" in page and "222,800" in page
    assert client.get("/services/org/lf/budget/2016.pdf")["Content-Type"] == "application/pdf"
    assert client.get("/services/org/lf/budget/2016.xlsx").status_code == 200
    register = client.get("/services/org/lf/model-workers.csv").content.decode("utf-8-sig")
    assert register.splitlines()[0] == "姓名,身份证号后四位,工作单位编码,级别,获评次数,首次获评年度,是否退休,是否健在"
    assert len(register.splitlines()) == 1 + ModelWorker.objects.count()


# --- union funds -----------------------------------------------------------------------------


def test_dues_split_follows_seed_002():
    f = figures()
    assert (
        f.dues_payroll_percent, f.dues_city_federation_percent, f.dues_retained_percent) == (funds.DUES_PERCENT, funds.UPWARD_PERCENT, funds.RETAINED_PERCENT)
    split = funds.split(1_000_000)
    assert (split.dues, split.upward, split.retained) == (20_000, 8_000, 12_000)
    odd = funds.split(1_234_567)  # 24,691.34 → 24,691; 40 % → 9,876.4 → 9,876
    assert (odd.dues, odd.upward, odd.retained) == (24_691, 9_876, 14_815)
    assert odd.upward + odd.retained == odd.dues


def test_federation_summary_with_received_and_arrears(db, client):
    fed = OrgFactory(code="fz", name="某市总工会", kind="federation")
    a = OrgFactory(code="fz-a", name="甲工会", parent=fed)
    b = OrgFactory(code="fz-b", name="乙工会", parent=fed)
    funds.record_funds(actor=SYSTEM, org=a, year=2025, payroll=1_000_000, received=8_000)
    funds.record_funds(actor=SYSTEM, org=b, year=2025, payroll=2_000_000, received=4_000)
    from services.models import FundRecord

    summary = funds.summarise(FundRecord.objects.filter(year=2025).order_by("org__lft"))
    assert [(r.arrears, r.percent) for r in summary.rows] == [(0, 100), (12_000, 25)]
    assert (summary.upward, summary.received, summary.arrears, summary.percent) == (24_000, 12_000, 12_000, 50)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", password="x-pw-12345"))
    page = client.get("/services/org/fz/funds/2025/").content.decode()
    assert 'aria-valuenow="25"' in page and "12,000" in page


# --- mutual aid -------------------------------------------------------------------------------


def test_mutual_aid_under_70_percent_is_flagged_and_cannot_close_as_compliant(db):
    assert figures().mutual_aid_min_payout_percent == funds.MUTUAL_AID_MIN_PAYOUT_PERCENT
    org = OrgFactory(code="fz", name="某市总工会", kind="federation")
    low = funds.record_round(actor=SYSTEM, org=org, year=2025, name="一日捐", raised=100_000, paid=69_999)
    exact = funds.record_round(actor=SYSTEM, org=org, year=2025, name="二日捐", raised=100_000, paid=70_000)
    assert funds.is_flagged(low) and not funds.is_flagged(exact)
    with pytest.raises(ValidationError, match="70"):
        funds.close_round(actor=SYSTEM, round_=low, compliant=True)
    assert MutualAidRound.objects.get(pk=low.pk).status == "open"
    closed = funds.close_round(actor=SYSTEM, round_=low, compliant=False)
    assert (closed.status, closed.compliant) == ("closed", False)
    assert funds.close_round(actor=SYSTEM, round_=exact, compliant=True).compliant


def test_mutual_aid_page_flags_and_refuses(db, client):
    from django.contrib.auth import get_user_model

    org = OrgFactory(code="fz", name="某市总工会", kind="federation")
    low = funds.record_round(actor=SYSTEM, org=org, year=2025, name="一日捐", raised=100_000, paid=50_000)
    client.force_login(get_user_model().objects.create_superuser("root", password="x-pw-12345"))
    page = client.get("/services/org/fz/mutual-aid/").content.decode()
    assert "低于 70%" in page
    response = client.post(f"/services/mutual-aid/{low.pk}/close/", {"compliant": "1"}, follow=True)
    assert "不能按合规结束" in response.content.decode()
    assert MutualAidRound.objects.get(pk=low.pk).status == "open"


@pytest.mark.django_db
def test_the_demo_clerk_of_langfang_sees_the_documents_budget(client):
    call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert client.login(username="demo-lf-clerk", password="lf-clerk-demo-2026")
    page = client.get("/services/org/lf/budget/2016/").content.decode()
    assert "436,500" in page and "222,800" in page
    assert client.get("/orgs/zz/").status_code == 404  # a clerk of lf sees only lf's tree
