"""The scoring rule of interfaces.md, on edge cases and on the 12 sheets of seed 003."""

from decimal import Decimal

import pytest

from assessment import scoring, services
from assessment.scoring import Factors, indicator_score, unit_score
from assessment.seeding import indicator_specs
from fixtures.zhuzhou_assessment import parse_zhuzhou_assessment

D = Decimal


@pytest.mark.parametrize(("grade", "docs", "expected"), [
    ("full", True, D("10.00")), ("full", False, D("8.00")),
    ("basic", True, D("7.00")), ("basic", False, D("5.00")),
    ("none", True, D("0.00")), ("none", False, D("0.00")),  # never below 0
    ("", True, None),
])
def test_unit_score_every_grade_and_documents(grade, docs, expected):
    assert unit_score(D(10), grade, docs) == expected


def test_unit_score_rounds_half_up_in_decimals():
    assert unit_score(D("0.35"), "basic", True) == D("0.25")  # 0.245 → 0.25, not banker's 0.24
    assert unit_score(D("2.5"), "basic", False) == D("1.25")
    assert unit_score(D(3), "basic", True) == D("2.10")  # never 2.0999999 from floats


def test_undocumented_ungraded_unit_counts_as_zero_in_its_indicator():
    assert indicator_score(D(20), [(D(10), D(10)), (D(10), None)]) == D("10.00")


def test_indicator_is_scaled_to_its_weight_when_item_points_disagree():
    # 国资委 组织建设: items 10+5+5+5 = 25 against weight 20.
    units = [(D(10), D(10)), (D(5), D("3.5")), (D(5), D(5)), (D(5), D(4))]
    assert indicator_score(D(20), units) == D("18.00")  # 22.5 × 20/25
    # 卫生 “双联”: items 28 against weight 30; full marks give the full weight.
    assert indicator_score(D(30), [(D(10), D(10)), (D(4), D(4)), (D(5), D(5)), (D(4), D(4)), (D(5), D(5))]) == D("30.00")
    # rounding after scaling: 7 × 25/20 = 8.75; 7.01 × 25/28 = 6.2589… → 6.26
    assert indicator_score(D(25), [(D(20), D(7))]) == D("8.75")
    assert indicator_score(D(25), [(D(28), D("7.01"))]) == D("6.26")


def test_template_factors_replace_the_defaults():
    factors = Factors(full=D(1), basic=D("0.6"), none=D(0), docs_penalty=D("0.5"))
    assert unit_score(D(10), "basic", True, factors) == D("6.00")
    assert unit_score(D(10), "basic", False, factors) == D("1.00")


def _sheet_score(sheet, grade, docs):
    total = D(0)
    for spec in indicator_specs(sheet):
        units = [(item.points, unit_score(item.points, grade, docs)) for item in spec.items if item.points]
        if not units:
            units = [(spec.weight, unit_score(spec.weight, grade, docs))]
        total += indicator_score(spec.weight, units)
    return total


@pytest.mark.parametrize("sheet", parse_zhuzhou_assessment(), ids=lambda s: s.assessee_label)
def test_every_seed_sheet_scores_100_when_all_is_done_and_70_or_56_otherwise(sheet):
    assert _sheet_score(sheet, "full", True) == D(100)
    assert _sheet_score(sheet, "basic", True) == D(70)
    assert _sheet_score(sheet, "basic", False) == D(50)
    assert _sheet_score(sheet, "full", False) == D(80)
    assert _sheet_score(sheet, "none", True) == D(0)


def test_points_warnings_name_exactly_the_disagreeing_indicators():
    by_label = {s.assessee_label: s for s in parse_zhuzhou_assessment()}
    found = {label: [spec.name for spec, _points in services.points_warnings(indicator_specs(sheet))]
             for label, sheet in by_label.items()}
    assert found["株洲市国资委系统工会"] == ["组织建设", "民主管理", "素质提升", "“双联”维权帮扶"]
    assert found["市卫生系统工会"] == ["“双联”维权帮扶"]
    assert found["株洲市广播电视台系统工会"] == ["“双联”维权帮扶"]
    assert sum(bool(names) for names in found.values()) == 3
    gx = indicator_specs(by_label["株洲市供销联合社系统工会"])
    assert all(spec.items == [] for spec in gx)  # prose content: each indicator graded whole


def test_num_prints_decimals_as_written():
    assert scoring.num(D("20.00")) == "20"
    assert scoring.num(D("17.50")) == "17.5"
    assert scoring.num(None) == ""
