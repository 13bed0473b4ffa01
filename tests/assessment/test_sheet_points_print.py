"""The 2011 sheets (seed 003) as printed: each indicator with the points its name states, a
note where the items' points disagree with the weight, names without stray spaces."""

import re

import pytest

from assessment import services
from assessment.pdf import render_sheet_pdf
from assessment.seeding import seed_templates
from orgs.models import Org
from orgs.seeding import seed_orgs
from tests.pdftext import pdf_text as raw_pdf_text
from unionportal.actors import SYSTEM


def pdf_text(pdf: bytes) -> str:
    """Drawing order: the layout mode interleaves the narrow 考核指标 column with its neighbours."""
    return raw_pdf_text(pdf, raw=True)


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.fixture
def sheets_2011(db):
    seed_orgs()
    seed_templates()
    round_ = services.open_round(actor=SYSTEM, assessor=Org.objects.get(code="zz"), year=2011).round
    return {sheet.org.code: sheet for sheet in round_.sheets.select_related("org", "template")}


def test_the_guoziwei_sheet_prints_stated_points_and_how_it_scales(sheets_2011):
    raw = pdf_text(render_sheet_pdf(sheets_2011["zz-gzw"]))
    text = squeeze(raw)
    for name, stated in (("组织建设", 25), ("民主管理", 20), ("素质提升", 20), ("“双联”维权帮扶", 35)):
        assert f"{name}（{stated}分）" in text, name
    for total, weight in ((25, 20), (20, 25), (20, 25), (35, 30)):
        assert f"各项分值合计{total}分，按权重{weight}分折算" in text
    assert "“双联” " not in raw and "“双联”维权" in text  # no stray space in the name
    assert "积极理顺市国资委工会组织管理体系。（10分）" in text  # each item's own points


def test_a_sheet_whose_points_agree_has_no_note(sheets_2011):
    health = squeeze(pdf_text(render_sheet_pdf(sheets_2011["zz-ws"])))
    assert "各项分值合计28分，按权重30分折算" in health  # 双联: 28 of 30
    assert health.count("折算") == 1
    education = squeeze(pdf_text(render_sheet_pdf(sheets_2011["zz-jy"])))
    assert "折算" not in education and "（25分）" not in education
