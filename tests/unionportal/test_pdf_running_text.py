"""No record's text reaches print CSS: the running footer takes its text from the document,
so a hostile org name cannot restyle (or blank) a PDF, and a name prints exactly as written."""

import pytest

from duties.pdf import render_catalogue_pdf
from tests.duties.helpers import plain_catalogue
from tests.factories import OrgFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db

DUTY = "做好女职工工作，维护女职工合法权益。"


def printed(name: str, code: str) -> str:
    org = OrgFactory(code=code, name=name)
    version = plain_catalogue(org, texts=[DUTY], title="职责清单")
    return pdf_text(render_catalogue_pdf(org, [version], subtree=False))


def test_a_name_written_as_css_cannot_blank_the_catalogue():
    name = "测试工会\f}} body{display:none} x{"
    text = printed(name, "css")
    assert DUTY in text  # the body still prints
    flat = "".join(text.split())
    # In the footer, as written (the form feed is white space like any other).
    assert "测试工会}}body{display:none}x{第1版" in flat


@pytest.mark.parametrize("name", ["A&B工会'", '甲"乙<工会>', "反斜杠\\工会"])
def test_a_name_prints_once_escaped_in_the_footer(name):
    text = printed(name, "esc")
    footer = [line for line in text.splitlines() if "第 1 版" in line and "打印日期" in line]
    assert footer and name in footer[0]
    assert "&amp;" not in text and "&#x27;" not in text and "&quot;" not in text
    assert "\\5c" not in text and "\\22" not in text
