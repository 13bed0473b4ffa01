"""Issue 10: CSV files in the encodings Chinese office programs write are read correctly (UTF-8
with or without BOM, GB18030/GBK as Excel and WPS write "CSV", UTF-16 with BOM as Excel writes
"Unicode text"); a file in none of them is refused with advice on how to save it."""

import codecs
import io

import pytest

from orgs.models import Org
from tests.commands import run_command
from tests.kit import scope_tree
from tests.unionportal.importsites import ORG_HEADER, admin_import, admin_import_client
from unionportal.csv_encoding import decode_csv
from unionportal.tabular import Column, FileFormatError, read_table

COLUMNS = [Column("code", "编码", "code", required=True), Column("name", "名称", "name")]
# Characters outside GB2312 (镕, 堃) and a full-width comma inside a quoted cell.
ROWS = [["编码", "名称"], ["zz-jy", "株洲市教育系统工会"], ["zz-rong", "朱镕基堃工会，“测试”"]]


def csv_text(rows, delimiter=",", newline="\n") -> str:
    def cell(text):
        return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in '",\n') else text

    return "".join(delimiter.join(cell(text) for text in row) + newline for row in rows)


ENCODED = {
    "utf-8": csv_text(ROWS).encode("utf-8"),
    "utf-8 with BOM (Excel's CSV UTF-8)": codecs.BOM_UTF8 + csv_text(ROWS, newline="\r\n").encode("utf-8"),
    "GB18030": csv_text(ROWS).encode("gb18030"),
    "GBK with CRLF (Excel's CSV on a Chinese system)": csv_text(
        [["编码", "名称"], ["zz-jy", "株洲市教育系统工会"]], newline="\r\n").encode("gbk"),
    "UTF-16 LE with BOM": codecs.BOM_UTF16_LE + csv_text(ROWS).encode("utf-16-le"),
    "UTF-16 BE with BOM": codecs.BOM_UTF16_BE + csv_text(ROWS).encode("utf-16-be"),
    "Excel's Unicode text (UTF-16 LE, tabs, CRLF)": codecs.BOM_UTF16_LE
    + csv_text(ROWS, delimiter="\t", newline="\r\n").encode("utf-16-le"),
}


@pytest.mark.parametrize("encoding", list(ENCODED))
def test_each_encoding_office_programs_write_reads_the_same_cells(encoding):
    data = ENCODED[encoding]
    table = read_table(io.BytesIO(data), "csv", COLUMNS)
    expected = ROWS[1:] if "GBK" not in encoding else ROWS[1:2]
    assert [[row["code"], row["name"]] for row in table.rows] == expected
    assert [row.number for row in table.rows] == list(range(2, 2 + len(expected)))


def test_strict_utf8_comes_before_gb18030():
    # These UTF-8 bytes also decode as GB18030 (to 缂栫爜,鍚嶇О / 鍩哄眰宸ヤ細): UTF-8 must win.
    data = "编码,名称\nx,基层工会\n".encode()
    assert data.decode("gb18030") != data.decode("utf-8")
    assert decode_csv(data) == (data.decode("utf-8"), "utf-8")
    assert decode_csv("编码,名称\n".encode("gbk"))[1] == "gb18030"


UNREADABLE = {
    "Big5 (traditional, not GBK)": "編碼,名稱\nzz,臺灣省總工會\n".encode("big5"),
    "Latin-1": "编码,名称\n".encode() + "zz,caf\xe9 \xff\n".encode("latin-1"),
    "UTF-16 without BOM": "编码,名称\nzz,株洲\n".encode("utf-16-le"),
    "UTF-16 BOM with a broken surrogate": codecs.BOM_UTF16_LE + "编码".encode("utf-16-le") + b"\x00\xd8\x41\x00",
}


@pytest.mark.parametrize("encoding", list(UNREADABLE))
def test_a_file_in_no_known_encoding_is_refused_with_how_to_save_it(encoding):
    with pytest.raises(FileFormatError) as refusal:
        read_table(io.BytesIO(UNREADABLE[encoding]), "csv", COLUMNS)
    assert "CSV UTF-8" in str(refusal.value) and "Excel" in str(refusal.value)


@pytest.mark.django_db
def test_the_command_reads_an_excel_gbk_file_and_refuses_an_unknown_one(tmp_path):
    tree = scope_tree()
    path = tmp_path / "orgs.csv"
    rows = [ORG_HEADER, ["kit-gbk", "镕基工会", "kit-a", "基层工会"]]
    path.write_bytes(csv_text(rows, newline="\r\n").encode("gbk"))
    code, out, err = run_command("import_orgs", str(path))
    assert code == 0, err
    assert Org.objects.get(code="kit-gbk").name == "镕基工会"
    assert Org.objects.get(code="kit-gbk").parent == tree.a
    path.write_bytes(UNREADABLE["Big5 (traditional, not GBK)"])
    code, out, err = run_command("import_orgs", str(path))
    assert code == 1 and err.startswith("error: ") and "CSV UTF-8" in err


@pytest.mark.django_db
def test_the_admin_import_reads_utf16_and_explains_an_unknown_encoding():
    tree = scope_tree()
    client = admin_import_client(tree)
    rows = [ORG_HEADER, ["kit-u16", "统一十六工会", "kit-a", "基层工会"]]
    admin_import(client, "orgs.csv", codecs.BOM_UTF16_LE + csv_text(rows).encode("utf-16-le"))
    assert Org.objects.get(code="kit-u16").name == "统一十六工会"
    page = admin_import(client, "orgs.csv", UNREADABLE["Latin-1"])
    assert "另存为" in page and "CSV UTF-8" in page
