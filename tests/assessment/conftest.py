"""Fixtures of the assessment tests: the kit's tree with a round A → a1, a2 and B → b1."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import services
from assessment.models import AssesseeRule, Sheet
from tests.kit import scope_tree, user_with_role
from unionportal.actors import SYSTEM

D = Decimal
RULE = "全面完成得满分，基本完成得70%分；资料不全扣20%的分"


def specs(weights=(20, 25, 25, 30), item_points=None):
    """Four indicators; ``item_points`` {index: [points…]} gives an indicator items with points."""
    item_points = item_points or {}
    result = []
    for index, weight in enumerate(weights):
        points = item_points.get(index)
        items = ([services.ItemSpec(str(n), f"第{n}项工作（{p}分）", D(p)) for n, p in enumerate(points, 1)]
                 if points else [])
        result.append(services.IndicatorSpec(number=str(index + 1), name=f"指标{index + 1}", weight=D(weight),
                                             section="职能工作目标" if index == 0 else "",
                                             content="\n".join(i.text for i in items) or f"指标{index + 1}的内容",
                                             rule_text=RULE, items=items))
    return result


def make_template(assessor, year=2026, indicators=None, **kwargs):
    kwargs.setdefault("rule", AssesseeRule.CHILDREN)
    template, _created, _warnings = services.save_template(
        actor=SYSTEM, assessor=assessor, year=year, title=f"{year}年度工作考核细则",
        indicators=indicators or specs(item_points={0: [10, 5, 5]}), **kwargs)
    return template


@pytest.fixture
def tree(db):
    return scope_tree()


@pytest.fixture
def world(tree):
    """Templates of A (over a1, a2) and B (over b1), both 2026 rounds opened."""
    make_template(tree.a)
    make_template(tree.b)
    round_a = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round
    round_b = services.open_round(actor=SYSTEM, assessor=tree.b, year=2026).round
    return {"tree": tree, "round_a": round_a, "round_b": round_b,
            "a1": round_a.sheets.get(org=tree.a1), "a2": round_a.sheets.get(org=tree.a2),
            "b1": round_b.sheets.get(org=tree.b1)}


@pytest.fixture
def users(tree):
    return {role: user_with_role(tree, role) for role in ("staff", "reviewer", "scorer", "clerk", "admin")}


def grade_all(sheet, grade="full", docs=True, actor=SYSTEM):
    entries = {u.seq: services.Entry(grade=grade, docs=docs, note="说明") for u in sheet.units.all()}
    return services.save_self_assessment(actor=actor, sheet=sheet, entries=entries)


def query_count(client, url) -> int:
    """The queries one GET of ``url`` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def named_templates(tree, years):
    """One template per year naming a1 and a2 as its assessees."""
    for year in years:
        make_template(tree.a, year=year, rule=AssesseeRule.NAMED, assessees=[tree.a1, tree.a2])


def finalise_sheet(sheet, grade="full"):
    """Grade every unit, then submit, pass and finalise the sheet as the system; refreshed."""
    grade_all(sheet, grade=grade)
    for name in ("submit", "pass", "finalise"):
        services.apply_transition(name=name, actor=SYSTEM, sheet=sheet)
    sheet.refresh_from_db()
    return sheet


@pytest.fixture
def partial_reader(world):
    """a1 final with a full grade, a2 with a basic one; and a user who sees the assessor A
    (staff) and, of its round, a1 only (clerk of a1)."""
    from tests.factories import GrantFactory, UserFactory

    finalise_sheet(world["a1"])
    finalise_sheet(world["a2"], grade="basic")
    reader = UserFactory(username="partial")
    GrantFactory(user=reader, role="staff", org=world["tree"].a)
    GrantFactory(user=reader, role="clerk", org=world["tree"].a1)
    return reader


ROOT_SPECS = [services.IndicatorSpec(number="1", name="市总专项指标", weight=D(100), content="市总专项内容")]


@pytest.fixture
def two_assessors(world):
    """a1 is assessed in 2026 by kit-a (the world's round) and by the root kit."""
    tree = world["tree"]
    template = make_template(tree.root, indicators=ROOT_SPECS, rule=AssesseeRule.NAMED, assessees=[tree.a1])
    template.title = "2026年度市总专项考核"
    template.save()
    services.open_round(actor=SYSTEM, assessor=tree.root, year=2026)
    return {**world, "root_sheet": Sheet.objects.get(org=tree.a1, assessor=tree.root)}
