"""Reading and writing the portal's exchange files (.csv and .xlsx), as interfaces.md defines.

- Headers in the first row, Chinese or English names, any column order.
- Rows are numbered as a spreadsheet shows them: the header is row 1, blank rows count (and
  are skipped), a CSV record spanning several lines is one row.
- Every cell is read as text: an xlsx number 1.1 reads as "1.1".
- Exports escape text cells that a spreadsheet would run as a formula; quantities are number
  cells and dates date cells (`Number` picks a display format), everything else text.
"""

import csv
import datetime as dt
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Cells starting with these are formulas (or DDE payloads) to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


# Yes/no cells (是 / 否), as people write them.
YES = frozenset({"是", "yes", "y", "true", "1", "√", "✓"})
NO = frozenset({"否", "no", "n", "false", "0", "×"})


def parse_yes_no(text: str) -> bool | None:
    """True for 是 (yes), False for 否 (no), None for anything else (blank included)."""
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


@contextmanager
def import_transaction(report: "Report", *, dry_run: bool):
    """The one transaction an import applies in: it is rolled back on a dry run or as soon as
    any row failed while applying, so a file is written whole or not at all."""
    with transaction.atomic():
        yield
        if dry_run or not report.ok:
            transaction.set_rollback(True)


class FileFormatError(ValueError):
    """The whole file is unusable: wrong extension, unreadable, or a required column missing."""


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the header interfaces.md gives
    en: str  # the English header, accepted too
    required: bool = False

    def header(self) -> str:
        return self.zh


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: dict[str, str]  # column key -> text
    headers: dict[str, str]  # column key -> the header as written in the file

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")

    def header(self, key: str) -> str:
        return self.headers.get(key, key)


@dataclass
class Table:
    rows: list[Row]
    headers: dict[str, str]  # column key -> header as written


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(self.column)
        parts.append(self.message)
        text = ": ".join(parts)
        if self.warning:
            return f"warning: {text}"
        return text if self.row is not None else f"error: {text}"

    @property
    def ui_text(self) -> str:
        """The problem as the UI shows it, in the user's language (第 6 行：名称：…); ``str()``
        keeps the command line's ``row N: COLUMN: message``."""
        values = {"row": self.row, "column": self.column, "message": self.message}
        if self.row is not None and self.column:
            text = _("Row %(row)d: %(column)s: %(message)s") % values
        elif self.row is not None:
            text = _("Row %(row)d: %(message)s") % values
        elif self.column:
            text = _("%(column)s: %(message)s") % values
        else:
            text = self.message
        return _("Warning: %(text)s") % {"text": text} if self.warning else text


@dataclass
class Report:
    """What an import found and did; a non-empty ``errors`` means nothing was written."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0  # data rows read (blank rows skipped): how big the import is

    def error(self, row: Row | None, column_key: str | None, message: str) -> None:
        column = row.header(column_key) if row is not None and column_key else column_key
        self.errors.append(Problem(row.number if row else None, column, message))

    def warn(self, row: Row | None, column_key: str | None, message: str) -> None:
        column = row.header(column_key) if row is not None and column_key else column_key
        self.warnings.append(Problem(row.number if row else None, column, message, warning=True))

    @property
    def ok(self) -> bool:
        return not self.errors


class UnknownFormatError(FileFormatError):
    """The file's extension names no format the portal reads: a usage error."""


def format_of(path, formats=FORMATS) -> str:
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise UnknownFormatError(
            _("Unknown file type “.%(suffix)s”; use %(formats)s.")
            % {"suffix": suffix, "formats": ", ".join(f".{f}" for f in formats)}
        )
    return suffix


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person sees in it."""
    if type(value) is str:  # nearly every cell of an import: skip the type checks below
        return _text_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text_cell(str(value))


def _text_cell(text: str) -> str:
    # Undo our own export escaping so an exported file imports unchanged.
    if text.startswith(ESCAPE) and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text.strip()


def read_table(source, fmt: str, columns: list[Column], *, report: "Report | None" = None,
               limits=None) -> Table:
    """Read a csv/xlsx file into rows keyed by column; raise FileFormatError for the whole file.

    Within ``limits`` (``unionportal.import_limits``; the web's by default); bad cells are row
    errors in ``report``. The reading itself is in ``unionportal.tabular_read``.
    """
    from unionportal import tabular_read

    table = tabular_read.read_table(source, fmt, columns, report=report, limits=limits)
    if report is not None:
        report.rows = len(table.rows)
    return table


@dataclass(frozen=True)
class Number:
    """A quantity exported as a number cell with a display format (interfaces.md, File formats).

    Plain ``int`` values get ``#,##0`` and ``Decimal``/``float`` values ``#,##0.00``; wrap a value
    in ``Number`` to choose another format (a year as ``0``, points as ``0.##``…).
    """

    value: int | Decimal | float | None
    format: str = "#,##0"

    def text(self) -> str:
        return number_text(self.value)


DATE_FORMAT = "yyyy-mm-dd"


def number_text(value) -> str:
    """A number as CSV text: 20, 17.5, 436500 (no exponent, no trailing zeros, no separators)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _typed(value):
    """(value, number format) for a number or date cell, or None for a text cell."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Number):
        return (None, "") if value.value is None else (value.value, value.format)
    if isinstance(value, int):
        return value, "#,##0"
    if isinstance(value, Decimal | float):
        return value, "#,##0.00"
    if isinstance(value, dt.datetime):
        # Spreadsheets have no time zones: the wall time where the portal runs.
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        return value, "yyyy-mm-dd hh:mm"
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    return None


def escape_cell(value) -> str:
    text = cell_text_for_export(value)
    if _typed(value) is None and text.startswith(FORMULA_PREFIXES):
        return ESCAPE + text
    return text


def cell_text_for_export(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Number):
        return value.text()
    if isinstance(value, int | Decimal | float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        typed = _typed(value)[0]
        return typed.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_response(fmt: str, filename: str):
    """An (empty) download response for a csv/xlsx file; pass it to ``write_table`` as target."""
    from django.http import HttpResponse

    response = HttpResponse(content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _display_width(text: str) -> int:
    # CJK characters take two columns in a spreadsheet.
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(1 if char.isascii() else 2 for char in longest) + 2


def write_table(target, fmt: str, headers: list[str], rows, title: str = "", finish=None) -> None:
    """Write ``rows`` (lists of values) under ``headers``, formula-like text escaped.

    ``str`` values (codes, 序号, yes/no, names) are text cells; ``int``, ``Decimal``, ``float``
    and ``Number`` values are number cells with a display format, dates are date cells, so a
    spreadsheet's SUM works on them. ``finish(worksheet)``, when given, adjusts the xlsx sheet
    (validation, protection…) before it is saved. ``target`` is a path or a binary stream.
    """
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([escape_cell(value) for value in row])
        # A BOM lets Excel on Windows open the Chinese text as UTF-8.
        payload = ("\ufeff" + text.getvalue()).encode("utf-8")
        if hasattr(target, "write"):
            target.write(payload)
        else:
            Path(target).write_bytes(payload)
        return
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (title or "Sheet1")[:31]
    sheet.append(headers)
    header_fill = PatternFill("solid", fgColor="DDE6F2")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    widths = [max(6, _display_width(h)) for h in headers]
    # The row is counted here: openpyxl's ``max_row`` scans every cell written so far, and
    # asked per cell it made a 5,000-row export quadratic (tens of seconds).
    for row_number, row_values in enumerate(rows, start=2):
        for index, value in enumerate(row_values):
            cell = sheet.cell(row=row_number, column=index + 1)
            typed = _typed(value)
            text = cell_text_for_export(value)
            if typed is not None:
                cell.value, number_format = typed
                if number_format:
                    cell.number_format = number_format
                width = len(text) + 4
            else:
                # Written as a string cell, never parsed as a number or formula; quotePrefix
                # makes Excel and LibreOffice show a formula-like text as text.
                cell.value = text
                cell.data_type = "s"
                cell.number_format = "@"
                if text.startswith(FORMULA_PREFIXES):
                    cell.quotePrefix = True
                if "\n" in text:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                width = _display_width(text)
            widths[index] = min(60, max(widths[index], width))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if finish is not None:
        finish(sheet)
    workbook.save(target)
