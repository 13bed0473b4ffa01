"""Templates: seed 003 as 株洲市总工会's 2011 templates, the import command, copies."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import selectors, services
from assessment.models import AssesseeRule, Sheet, Template
from assessment.seeding import seed_templates
from orgs.seeding import seed_orgs
from tests.assessment.conftest import make_template, specs
from tests.commands import run_command
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

D = Decimal


@pytest.fixture
def seeded(db):
    seed_orgs()
    return seed_templates()


def test_seed_loads_the_12_sheets_as_zz_2011_templates_attributed_to_each_system_union(seeded):
    templates = Template.objects.filter(assessor__code="zz", year=2011)
    assert templates.count() == 12
    assessees = sorted(t.assessees.get().code for t in templates)
    assert assessees == sorted(["zz-szjg", "zz-jy", "zz-sw", "zz-ws", "zz-zj", "zz-gd", "zz-jt", "zz-ga",
                                "zz-gzw", "zz-ls", "zz-gx", "zz-jr"])
    gzw = templates.get(assessees__code="zz-gzw")  # its label stands after its table
    assert [i.weight for i in gzw.indicators.all()] == [20, 25, 25, 30]
    assert [i.item_points_total() for i in gzw.indicators.all()] == [25, 20, 20, 35]
    assert gzw.headers[2] == "考核内容" and gzw.headers[3] == "扣分标准"
    szjg = templates.get(assessees__code="zz-szjg")
    assert szjg.headers[2] == "2011年目标值或应达到的进度、标准和要求"
    assert all(t.total_weight() == 100 for t in templates)


def test_seed_reports_the_point_disagreements_as_warnings_and_keeps_the_document(seeded):
    warnings = [line for line in seeded if line.startswith("warning:")]
    assert len(warnings) == 6
    gzw = [w for w in warnings if "株洲市国资委系统工会" in w]
    assert len(gzw) == 4
    assert any("组织建设" in w and "25" in w and "20" in w for w in gzw)
    assert sum("株洲市卫生系统工会" in w and "双联" in w and "28" in w and "30" in w for w in warnings) == 1
    assert sum("株洲市广播电视台系统工会" in w and "28" in w for w in warnings) == 1
    template = Template.objects.get(year=2011, assessees__code="zz-gzw")
    assert len(selectors.template_warnings(template)) == 4
    units = selectors.graded_units(template.indicators.prefetch_related("items"))
    assert [u[2] for u in units][:4] == ["1.1", "1.2", "1.3", "1.4"]
    gx = Template.objects.get(year=2011, assessees__code="zz-gx")
    assert [u[2] for u in selectors.graded_units(gx.indicators.all())] == ["1", "2", "3", "4"]


def test_seeding_twice_changes_nothing(seeded):
    again = seed_templates()
    assert again[0].endswith("0 个。") or "0 new" in again[0]
    assert Template.objects.count() == 12


def test_weights_that_do_not_add_up_to_100_are_refused(tree):
    with pytest.raises(ValidationError, match="95"):
        make_template(tree.a, indicators=specs(weights=(20, 25, 25, 25)))
    assert not Template.objects.exists()


def test_template_key_is_assessor_assessee_set_and_year(tree):
    first = make_template(tree.a)
    again = make_template(tree.a)  # same key: replaced, not duplicated
    assert first.pk == again.pk and Template.objects.count() == 1
    named = make_template(tree.a, rule=AssesseeRule.NAMED, assessees=[tree.a1])
    assert named.pk != first.pk
    assert make_template(tree.a, year=2027).pk not in (first.pk, named.pk)


def test_a_template_with_sheets_is_not_replaced_but_can_be_copied(tree):
    template = make_template(tree.a)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    with pytest.raises(ValidationError):
        make_template(tree.a)
    copy = services.copy_template(actor=SYSTEM, template=template, year=2027)
    assert copy.year == 2027 and copy.title.startswith("2027")
    assert [i.weight for i in copy.indicators.all()] == [i.weight for i in template.indicators.all()]
    assert copy.indicators.first().items.count() == 3
    assert AuditEntry.objects.filter(action="assessment.template.copy").count() == 1
    with pytest.raises(ValidationError):
        services.copy_template(actor=SYSTEM, template=template, year=2027)


TEMPLATE_CSV = """考核单位编码,被考核单位编码,年度,序号,考核类别,考核指标,考核内容,扣分方法,权重
kit-a,,2027,1,职能工作目标,组织建设,"1、按期换届。（10分）
2、做好统计。（5分）",全面完成得满分,20
kit-a,,2027,2,,民主管理,指导民主管理,全面完成得满分,25
kit-a,,2027,3,,素质提升,组织培训,全面完成得满分,25
kit-a,,2027,4,,双联,帮扶,全面完成得满分,30
"""


def run(*args):
    return run_command(*args)


def test_import_command_warns_on_item_points_and_creates_the_template(tree, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TEMPLATE_CSV, encoding="utf-8")
    code, out, err = run("import_assessment_template", str(path), "--dry-run")
    assert code == 0 and not Template.objects.exists()
    assert "warning: row 2: 考核内容: " in err and "组织建设" in err and "15" in err and "20" in err
    code, out, err = run("import_assessment_template", str(path))
    assert code == 0, err
    template = Template.objects.get(assessor=tree.a, year=2027)
    assert template.assessee_rule == AssesseeRule.CHILDREN
    assert [i.section for i in template.indicators.all()] == ["职能工作目标"] * 4  # merged cells carried
    assert [str(p) for p in template.indicators.first().items.values_list("points", flat=True)] == ["10.00", "5.00"]


def test_import_command_refuses_bad_weights_and_unknown_orgs_writing_nothing(tree, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TEMPLATE_CSV.replace(",30\n", ",35\n").replace("kit-a,,2027,2", "kit-zz,,2027,2"),
                    encoding="utf-8")
    code, _out, err = run("import_assessment_template", str(path))
    assert code == 1
    assert "row 3: 考核单位编码: " in err
    assert "row 2: 权重: " in err and "80" in err  # 20 + 25 + 35 (row 3 is refused)
    assert not Template.objects.exists()
    bad = tmp_path / "t.txt"
    bad.write_text("x")
    assert run("import_assessment_template", str(bad))[0] == 2


def test_named_and_kind_assessees_in_the_file(tree, tmp_path):
    text = TEMPLATE_CSV.replace("kit-a,,2027", "kit-a,kit-a-1、kit-a-2,2027")
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    assert run("import_assessment_template", str(path))[0] == 0
    template = Template.objects.get()
    assert sorted(template.assessees.values_list("code", flat=True)) == ["kit-a-1", "kit-a-2"]
    path.write_text(TEMPLATE_CSV.replace("kit-a,,2027", "kit-a,基层工会,2027"), encoding="utf-8")
    assert run("import_assessment_template", str(path))[0] == 0
    assert Template.objects.filter(assessee_rule=AssesseeRule.KIND, assessee_kind="base").exists()
    path.write_text(TEMPLATE_CSV.replace("kit-a,,2027", "kit-a,kit-b-1,2027"), encoding="utf-8")
    code, _out, err = run("import_assessment_template", str(path))
    assert code == 1 and "被考核单位编码" in err


def test_open_round_copies_the_latest_templates_when_the_year_has_none(tree):
    make_template(tree.a, year=2025)
    opened = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    assert len(opened.templates_copied) == 1 and opened.sheets_created == 2
    assert Sheet.objects.filter(year=2026, template__year=2026).count() == 2
