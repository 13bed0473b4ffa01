"""A PDF cached by the version of its data (unionportal.pdf.render_pdf_for) is never older than
the last write it prints: each write below is followed by a download that must show it."""

from assessment import services
from tests.assessment.conftest import grade_all, make_template, tree, users  # noqa: F401  (fixtures)
from tests.kit import client_for
from tests.pdftext import pdf_text
from unionportal.actors import SYSTEM


def test_a_cached_sheet_pdf_shows_every_later_write(tree, users):  # noqa: F811
    make_template(tree.a)
    sheet = services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round.sheets.get(org=tree.a1)
    sheet = grade_all(sheet, actor=users["staff"])
    services.apply_transition(name="submit", actor=users["staff"], sheet=sheet)
    clerk = client_for(users["clerk"])
    url = f"/assessment/2026/{sheet.org.code}.pdf"
    first = clerk.get(url).content
    assert clerk.get(url).content == first  # cached: the same bytes

    for note in ("第一次审核意见", "第二次审核意见"):
        sheet.refresh_from_db()
        services.save_review(actor=users["reviewer"], sheet=sheet,
                             entries={"2": services.Entry(grade="basic", docs=True, note=note)})
        assert note in pdf_text(clerk.get(url).content)

    tree.a1.name = "甲一改名基层工会"
    tree.a1.save()
    assert "甲一改名基层工会" in pdf_text(clerk.get(url).content)
