"""The Hedong overview table extracts in reading order: the PDF is tagged (a structure tree of
Table/TR/TH/TD, so screen readers and copy-paste follow the rows), and the content itself runs
row by row (序号, 名称, 实施机构) in the catalogue's order."""

import io
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from duties.models import DutyItem
from tests.pdftext import pdf_text


def marked_text(page) -> dict[int, str]:
    """The text of each marked-content sequence (MCID) of ``page``."""
    stack, texts = [], defaultdict(str)

    def before(operator, operands, cm, tm):
        if operator == b"BDC":
            properties = operands[1].get_object() if len(operands) > 1 else None
            stack.append(properties.get("/MCID") if isinstance(properties, dict) else None)
        elif operator == b"BMC":
            stack.append(None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(chunk, cm, tm, font, size):
        mcid = next((m for m in reversed(stack) if m is not None), None)
        if mcid is not None:
            texts[mcid] += chunk

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def tagged_table_rows(pdf: bytes) -> list[list[str]]:
    """Every table row of the structure tree, in the tree's order, as its cells' text."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"], "the PDF is not tagged"
    pages = {page.indirect_reference.idnum: page for page in reader.pages}
    texts = {}

    def text_of(page_ref, mcid):
        if page_ref.idnum not in texts:
            texts[page_ref.idnum] = marked_text(pages[page_ref.idnum])
        return texts[page_ref.idnum].get(mcid, "")

    def walk(node, page_ref=None):
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                yield from walk(kid, page_ref)
        elif isinstance(node, DictionaryObject):
            page_ref = node.get("/Pg", page_ref)
            if "/MCID" in node:
                yield "text", text_of(page_ref, node["/MCID"])
                return
            kind = node.get("/S")
            yield "open", kind
            if "/K" in node:
                yield from walk(node["/K"], page_ref)
            yield "close", kind
        elif isinstance(node, int):
            yield "text", text_of(page_ref, node)

    rows, row, cell = [], None, None
    for event, value in walk(root["/StructTreeRoot"]):
        if event == "open" and value == "/TR":
            row = []
        elif event == "open" and value in ("/TD", "/TH"):
            cell = ""
        elif event == "text" and cell is not None:
            cell += value
        elif event == "close" and value in ("/TD", "/TH"):
            row.append("".join(cell.split()))
            cell = None
        elif event == "close" and value == "/TR":
            rows.append(row)
    return rows


def raw_text(pdf: bytes) -> str:
    return pdf_text(pdf, raw=True)


@pytest.fixture(scope="module")
def hedong_pdf(django_db_blocker):
    """The seeded Hedong catalogue as a superuser prints it, rendered once for this module (the
    seed does not change in between); the user exists only while it renders."""
    with django_db_blocker.unblock(), transaction.atomic():
        client = Client()
        client.force_login(get_user_model().objects.create_superuser("pdf-reader", "pdf@example.com"))
        response = client.get(reverse("duties:pdf", args=["tj-hd"]))
        transaction.set_rollback(True)
    assert response["Content-Type"] == "application/pdf"
    return response.content


def expected_overview():
    items = DutyItem.objects.filter(version__catalogue__org__code="tj-hd", version__status="published")
    rows = [["序号", "名称", "实施机构"]]
    heading = None
    for item in items.select_related("main_duty", "department").order_by("position", "id"):
        if item.main_duty_id != heading:
            heading = item.main_duty_id
            rows.append(["".join(f"{item.main_duty.number}　{item.main_duty.name}".split())])
        rows.append(["".join(text.split()) for text in (item.number, item.name, item.department.name)])
    return rows


def test_the_hedong_overview_table_is_tagged_row_by_row_in_reading_order(seeded, hedong_pdf):
    expected = expected_overview()
    assert len(expected) == 1 + 4 + 14  # the header, 4 main duties, 14 items
    rows = tagged_table_rows(hedong_pdf)
    # The header repeated at the top of the next page is tagged there again: read past it.
    rows = [row for number, row in enumerate(rows) if number == 0 or row != rows[0]]
    assert rows[:len(expected)] == expected


def test_the_hedong_overview_text_runs_row_by_row(seeded, hedong_pdf):
    text = "".join(raw_text(hedong_pdf).split())
    position = 0
    for row in expected_overview()[1:]:
        found = text.find("".join(row), position)
        assert found >= 0, f"{row} is not where it belongs"
        position = found + 1
