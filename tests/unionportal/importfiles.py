"""Import files made in the tests: xlsx workbooks, zip bombs, hostile XML, nested archives."""

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The xlsx ``data`` with member ``name`` replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info.filename))
        archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(header: list[str], unpacked_mb: int = 100) -> bytes:
    """A valid xlsx whose sheet is ``unpacked_mb`` MB of one repeated row: it packs to ~1/1000."""
    base = xlsx_bytes([header])
    cells = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in header)
    head = f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{cells}</row>'.encode()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(head)
            for _ in range(unpacked_mb):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def entity_sheet(header: list[str], entities: str, cell: str) -> bytes:
    """A sheet XML with a DTD declaring ``entities`` and a data cell ``cell`` that uses them."""
    cells = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in header)
    return (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{cells}</row>'
            f'<row r="2"><c t="inlineStr"><is><t>{cell}</t></is></c></row></sheetData></worksheet>').encode()


BILLION_LAUGHS = "".join(
    ['<!ENTITY lol0 "lol">']
    + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
)
XXE = '<!ENTITY xxe SYSTEM "file:///etc/passwd">'
