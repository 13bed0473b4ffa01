"""Issue 9, hostile inputs: every import parser, fed random bytes, encodings, NULs, huge cells,
formula-like text and nested zips, either reports the problem (a row error or a refused file)
or imports the file whole; it never raises anything else and never writes part of a file.

Bounded in CI (profile ``ci``: 50 examples a parser and strategy, derandomised); the longer
run is ``HYPOTHESIS_PROFILE=bench`` (``bench/bench_imports.py`` runs it).
"""

import codecs
import csv
import io
import os
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from assessment import exchange as assessment_exchange
from assessment.models import Sheet, Template
from duties.exchange import COLUMNS as DUTY_COLUMNS
from duties.exchange import import_duties
from duties.models import CatalogueVersion
from orgs.exchange import COLUMNS as ORG_COLUMNS
from orgs.exchange import import_orgs
from orgs.models import Org
from services.exchange import COLUMNS as WORKER_COLUMNS
from services.exchange import import_model_workers
from services.models import ModelWorker
from tests.kit import scope_tree
from tests.unionportal.importfiles import with_member, xlsx_bytes
from tests.unionportal.importsites import open_sheet
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry
from unionportal.tabular import FileFormatError

pytestmark = pytest.mark.django_db

_COMMON = {"suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large],
           "database": None}  # no .hypothesis directory in the tree
settings.register_profile("ci", max_examples=50, deadline=timedelta(seconds=5), derandomize=True, **_COMMON)
settings.register_profile("bench", max_examples=1000, deadline=None, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _self_assessment(source, fmt):
    sheet = _self_assessment.sheet
    return assessment_exchange.import_self_assessment(source, fmt, sheet, actor=SYSTEM, filename="x")


PARSERS = {
    "orgs": (lambda source, fmt: import_orgs(source, fmt, actor=SYSTEM), ORG_COLUMNS),
    "duties": (lambda source, fmt: import_duties(source, fmt, actor=SYSTEM).report, DUTY_COLUMNS),
    "assessment template": (lambda source, fmt: assessment_exchange.import_templates(source, fmt, actor=SYSTEM),
                            assessment_exchange.TEMPLATE_COLUMNS),
    "self-assessment": (_self_assessment, assessment_exchange.SHEET_COLUMNS),
    "model workers": (lambda source, fmt: import_model_workers(source, fmt, actor=SYSTEM), WORKER_COLUMNS),
}


@pytest.fixture
def world(db):
    tree = scope_tree()
    _self_assessment.sheet, _staff = open_sheet(tree)
    return tree


def database_state():
    """What an import may write: the rows of each kind and the self-assessment sheet's version
    and entries.  Read by two statements (it is read before and after each of some 2,000
    examples; the ORM's seven reads took a quarter of the module's time)."""
    sheet = _self_assessment.sheet
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_AND_VERSION, [sheet.pk])
        counts_and_version = cursor.fetchone()
        cursor.execute(_ENTRIES, [sheet.pk])
        return counts_and_version, tuple(cursor.fetchall())


def _statements() -> tuple[str, str]:
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"
                       for model in (Org, CatalogueVersion, Template, ModelWorker, AuditEntry))
    sheet, unit = Sheet._meta, Sheet.units.rel.related_model._meta
    version = (f"SELECT {quote(sheet.get_field('version').column)} FROM {quote(sheet.db_table)} "
               f"WHERE {quote(sheet.pk.column)} = %s")
    entries = (f"SELECT {quote(unit.get_field('self_grade').column)}, {quote(unit.get_field('self_note').column)} "
               f"FROM {quote(unit.db_table)} WHERE {quote(unit.get_field('sheet').column)} = %s "
               f"ORDER BY {quote(unit.get_field('seq').column)}")
    return f"SELECT {counts}, ({version})", entries


_COUNTS_AND_VERSION, _ENTRIES = _statements()


def check(parser: str, data: bytes, fmt: str) -> None:
    """The property: a reported problem and nothing written, or a whole import."""
    function, _columns = PARSERS[parser]
    before = database_state()
    try:
        report = function(io.BytesIO(data), fmt)
    except FileFormatError as refusal:
        assert str(refusal)
        assert database_state() == before
        return
    if not report.ok:
        assert all(problem.message for problem in report.errors)
        assert database_state() == before


# --- strategies -----------------------------------------------------------------------------

FORMULAS = ["=1+1", "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "=HYPERLINK(\"http://x\")",
            "\t=1", "'=1", "DDE(\"cmd\";\"/c calc\";\"x\")"]
VALUES = ["kit", "kit-a", "kit-a-1", "kit-b-1", "甲系统工会", "基层工会", "系统工会", "2026", "2027", "1",
          "1.1", "2", "100", "25", "0", "-5", "NaN", "Infinity", "1e999", "9" * 40, "１２", "1_000",
          "是", "否", "全面完成", "基本完成", "未完成", "市级", "全国", "合计", "1、甲（5分）\n2、乙（5分）", ""]
CONTROL = st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\ufeff", "\u2028", "\r", "\n", "\"", ","])
hostile_text = st.text(alphabet=st.one_of(st.characters(), CONTROL), max_size=40)
huge_cell = st.builds(lambda char, size: char * size, st.sampled_from(["工", "x", "\x00"]),
                      st.integers(min_value=1_000, max_value=40_000))
cell = st.one_of(st.sampled_from(VALUES), st.sampled_from(FORMULAS), hostile_text, huge_cell)


# A valid row of each file ({n}: the row's index); the strategy spoils some of its cells.
VALID = {
    "orgs": {"code": "kit-h{n}", "name": "随机{n}工会", "parent": "kit-a", "kind": "基层工会",
             "short_name": "随{n}", "members": "12", "workers": "30", "is_enterprise": "是"},
    "duties": {"org": "kit-a", "category": "组织建设", "number": "{n}", "name": "职责{n}",
               "legal_basis": "《中华人民共和国工会法》", "department": "组织部", "boundary": "",
               "workflow": "1．受理\n2．办理", "documents": "申请书", "responsibilities": "1、受理",
               "supervision": "", "aliases": ""},
    "assessment template": {"assessor": "kit-a", "assessees": "", "year": "2027", "number": "{n}",
                            "section": "职能工作", "indicator": "指标{n}", "content": "1、甲（5分）",
                            "rule": "全面完成得满分", "weight": "100"},
    "self-assessment": {"seq": "{seq}", "indicator": "", "content": "", "points": "",
                        "self_grade": "全面完成", "self_docs": "是", "self_note": "说明{n}",
                        "self_score": "", "review_grade": "", "review_docs": "", "review_note": "",
                        "final_score": ""},
    "model workers": {"name": "工人{n}", "id_tail": "123X", "org": "kit-a-1", "level": "市级",
                      "honours": "1", "first_year": "2010", "retired": "否", "alive": "是"},
}
SEQS = ["1.1", "1.2", "1.3", "2", "3", "4", "合计"]


@st.composite
def table(draw, parser):
    """A header naming the file's columns (Chinese or English, any order, some optional ones
    missing, strangers added) over rows that are valid but for a few hostile cells."""
    columns = PARSERS[parser][1]
    kept = [c for c in columns if c.required or draw(st.integers(0, 4))]
    if draw(st.integers(0, 9)) == 0 and kept:  # now and then a required column goes too
        kept.remove(draw(st.sampled_from(kept)))
    kept = draw(st.permutations(kept))
    headers = [c.zh if draw(st.booleans()) else c.en for c in kept]
    headers += draw(st.lists(st.sampled_from(["", "其他", "备注"]), max_size=2))
    rows = [headers]
    for n in range(draw(st.integers(0, 6))):
        valid = {key: text.format(n=n, seq=draw(st.sampled_from(SEQS)))
                 for key, text in VALID[parser].items()}
        # A column added to a file later gets a blank valid value until VALID names one.
        row = [draw(cell) if draw(st.integers(0, 5)) == 0 else valid.get(c.key, "") for c in kept]
        if draw(st.integers(0, 9)) == 0:
            row = draw(st.lists(cell, max_size=len(headers) + 2))  # a ragged row of anything
        rows.append(row)
    return rows


def encode_csv(rows, encoding: str) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    value = text.getvalue()
    if encoding == "utf-16-le-no-bom":
        return value.encode("utf-16-le", errors="replace")
    prefix = codecs.BOM_UTF16_LE if encoding == "utf-16" else b""
    codec = "utf-16-le" if encoding == "utf-16" else encoding
    return prefix + value.encode(codec, errors="replace")


def encode_xlsx(rows) -> bytes:
    return xlsx_bytes([[ILLEGAL_CHARACTERS_RE.sub("", text)[:32_767] for text in row] for row in rows])


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le-no-bom", "big5"])
NESTED = st.sampled_from(["xl/embeddings/inner.xlsx", "xl/media/a.zip", "../../etc/x.xml", "xl/worksheets/sheet1.xml",
                          "xl/sharedStrings.xml", "[Content_Types].xml", "xl/workbook.xml"])


def _nested_zip(payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inner.xlsx", payload)
    return out.getvalue()


PARSER_NAMES = list(PARSERS)


# --- the properties, for every parser -----------------------------------------------------------


@pytest.mark.parametrize("parser", PARSER_NAMES)
def test_random_bytes(world, parser):
    @settings(PROFILE)
    @given(data=st.binary(max_size=4096), fmt=st.sampled_from(["csv", "xlsx"]))
    def run(data, fmt):
        check(parser, data, fmt)

    run()


@pytest.mark.parametrize("parser", PARSER_NAMES)
def test_hostile_csv_tables_in_every_encoding(world, parser):
    @settings(PROFILE)
    @given(rows=table(parser), encoding=ENCODINGS)
    def run(rows, encoding):
        check(parser, encode_csv(rows, encoding), "csv")

    run()


@pytest.mark.parametrize("parser", PARSER_NAMES)
def test_hostile_xlsx_tables(world, parser):
    @settings(PROFILE)
    @given(rows=table(parser))
    def run(rows):
        check(parser, encode_xlsx(rows), "xlsx")

    run()


@pytest.mark.parametrize("parser", PARSER_NAMES)
def test_nested_and_damaged_zips(world, parser):
    @settings(PROFILE)
    @given(rows=table(parser), member=NESTED, payload=st.binary(max_size=512),
           nest=st.booleans())
    def run(rows, member, payload, nest):
        data = with_member(encode_xlsx(rows), member, payload or b"PK\x03\x04")
        check(parser, _nested_zip(data) if nest else data, "xlsx")

    run()
