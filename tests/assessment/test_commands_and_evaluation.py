"""open_round, export_sheet, import_self_assessment; 会员评家 thresholds on the union's page."""


import pytest

from assessment.models import MemberEvaluation, Sheet
from tests.assessment.conftest import make_template
from tests.commands import run_command
from tests.kit import client_for
from tests.pdftext import pdf_text


def run(*args):
    return run_command(*args)


def test_open_round_export_and_import_through_the_commands(tree, tmp_path):
    make_template(tree.a)
    code, out, _err = run("open_round", "kit-a", "2026", "--deadline", "2026-12-31")
    assert code == 0 and "2" in out
    assert Sheet.objects.filter(year=2026).count() == 2
    assert run("open_round", "kit-a", "2026", "--deadline", "31/12/2026")[0] == 2
    assert run("open_round", "kit-nowhere", "2026")[0] == 1
    assert run("open_round", "kit-b", "2026")[0] == 1  # no template
    pdf = tmp_path / "s.pdf"
    assert run("export_sheet", "kit-a-1", "2026", str(pdf))[0] == 0
    assert "单位：甲一基层工会" in pdf_text(pdf.read_bytes())
    csv_path = tmp_path / "s.csv"
    assert run("export_sheet", "kit-a-1", "2026", str(csv_path))[0] == 0
    assert run("export_sheet", "kit-a-1", "2026", str(tmp_path / "s.doc"))[0] == 2
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    filled = [lines[0]] + [",".join(line.split(",")[:4] + ["全面完成", "是", "好"]) for line in lines[1:-1]]
    csv_path.write_text("\n".join(filled), encoding="utf-8")
    code, out, err = run("import_self_assessment", "kit-a-1", "2026", str(csv_path), "--dry-run")
    assert code == 0, err
    assert Sheet.objects.get(org=tree.a1).self_total is None or Sheet.objects.get(org=tree.a1).self_total == 0
    code, out, err = run("import_self_assessment", "kit-a-1", "2026", str(csv_path))
    assert code == 0, err
    assert str(Sheet.objects.get(org=tree.a1).self_total) == "100.00"
    assert run("import_self_assessment", "kit-a-9", "2026", str(csv_path))[0] == 1


@pytest.mark.parametrize(("members", "participants", "frontline", "approval", "valid"), [
    (100, 30, 18, False, True),  # exactly 30 % and 60 %
    (100, 29, 29, False, False),  # too few participants
    (100, 40, 23, False, False),  # 57.5 % frontline
    (100, 20, 12, True, True),  # the superior approved a lower ratio
    (100, 0, 0, True, False),  # nobody took part
])
def test_member_evaluation_validity(tree, members, participants, frontline, approval, valid):
    evaluation = MemberEvaluation.objects.create(org=tree.a1, year=2026, members=members,
                                                 participants=participants,
                                                 frontline_participants=frontline, superior_approval=approval)
    assert evaluation.is_valid is valid


def test_the_unions_page_shows_the_evaluation_and_its_validity(tree, users):
    MemberEvaluation.objects.create(org=tree.a1, year=2026, members=200, participants=50,
                                    frontline_participants=40)
    page = client_for(users["staff"]).get("/assessment/unions/kit-a-1/").content.decode()
    assert "会员评家" in page and "无效" in page and "30%" in page
    assert client_for(users["staff"]).get("/assessment/unions/kit-b-1/").status_code == 404
