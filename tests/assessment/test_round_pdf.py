"""A round's combined PDF: each sheet laid out on its own and joined, in the caller's order,
one bookmark per sheet, each sheet with its own page numbers; joined across parts as well."""

import pytest

from assessment import services
from assessment.models import Sheet
from assessment.pdf import render_round_pdf
from tests.assessment.conftest import make_template
from tests.factories import OrgFactory
from tests.pdftext import pdf_bookmarks, pdf_info, pdf_page_count, pdf_text
from unionportal import pdf as renderer
from unionportal.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _round_of_five(tree):
    make_template(tree.a)
    for n in range(3):
        OrgFactory(code=f"kit-a-x{n}", name=f"甲新增{n}号基层工会", parent=tree.a)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    round_ = tree.a.assessment_rounds.get()
    sheets = list(Sheet.objects.filter(round=round_).select_related("org", "assessor", "template", "round")
                  .order_by("-org__lft"))  # not the tree's order: the caller's order is kept
    assert len(sheets) == 5
    return round_, sheets


@pytest.mark.parametrize("per_part", [50, 2])  # one part; three parts joined (pypdf)
def test_the_round_pdf_prints_every_sheet_in_order_with_a_bookmark_each(tree, monkeypatch, per_part):
    monkeypatch.setattr(renderer, "DOCUMENTS_PER_PART", per_part)
    round_, sheets = _round_of_five(tree)
    names = [sheet.org.name for sheet in sheets]
    prepared = []
    pdf = render_round_pdf(round_, sheets, on_sheet=lambda: prepared.append(1))
    assert len(prepared) == 5
    assert pdf_bookmarks(pdf) == names
    text = pdf_text(pdf, raw=True).replace(" ", "")
    positions = [text.index(f"单位：{name}") for name in names]
    assert positions == sorted(positions)
    assert all(text.count(f"单位：{name}") == 1 for name in names)
    # Each sheet numbers its own pages: every sheet starts at page 1 of its own count.
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) == pdf_page_count(pdf)
    assert sum("第1页" in page for page in pages) == 5
    assert pdf_info(pdf)["Title"] == f"2026年度考核细则汇编 · {tree.a.name}"


def test_a_round_pdf_renders_once_then_comes_from_the_cache(tree, monkeypatch):
    monkeypatch.setattr(renderer, "DOCUMENTS_PER_PART", 2)
    round_, sheets = _round_of_five(tree)
    first = render_round_pdf(round_, sheets)

    def refuse(html):
        raise AssertionError("laid out again")

    monkeypatch.setattr(renderer, "html_to_document", refuse)
    prepared = []
    assert render_round_pdf(round_, sheets, on_sheet=lambda: prepared.append(1)) == first
    assert len(prepared) == 5  # the job's progress still reaches its end


def test_an_empty_round_prints_that_it_has_no_sheets(tree):
    make_template(tree.a)
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    pdf = render_round_pdf(tree.a.assessment_rounds.get(), [])
    assert "本轮没有可打印的考核表" in pdf_text(pdf).replace(" ", "")


def test_a_sheets_twenty_items_fit_one_page_of_details(tree):
    # 20 graded items: their 评分明细 rows all on the page the table starts on (a last row alone
    # on a page of its own would cost the reader a page and the round's layout a page a sheet).
    from assessment.pdf import render_sheet_pdf
    from tests.assessment.conftest import grade_all, specs

    make_template(tree.a, indicators=specs(item_points={0: [4] * 5, 1: [5] * 5, 2: [5] * 5, 3: [6] * 5}))
    services.open_round(actor=SYSTEM, assessor=tree.a, year=2026)
    sheet = grade_all(Sheet.objects.get(round__assessor=tree.a, org=tree.a1))
    assert sheet.units.count() == 20
    pages = [page for page in pdf_text(render_sheet_pdf(sheet), raw=True).split("\f") if page.strip()]
    details = [page for page in pages if "评分明细" in page]
    assert len(details) == 1
    assert pages[-1] == details[0]
    rows = details[0].split("评分明细", 1)[1]
    assert all(f"{indicator}.{item}" in rows for indicator in range(1, 5) for item in range(1, 6))
