"""The sheet exchange file as staff fill it in offline (interfaces.md, Sheet exchange).

Quantities are number cells (points as ``0`` or ``0.0#``, scores as ``0.00``) so a SUM works.
The xlsx adds what a clerk expects of a form in WPS, Excel or LibreOffice: drop-down lists for
自评等级 and 资料齐全, a frozen header row, columns wide enough for the Chinese text, and the
item text protected from accidental edits — the sheet is protected **without a password**
(审阅 → 撤销工作表保护 lifts it) and only the three input columns are unlocked.  The import
reads the cells only, so a file re-saved by any of these programs still imports.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment.models import GRADE_FILE_NAMES
from unionportal.tabular import Number

# The columns staff fill in; every other cell of the sheet is locked.
INPUT_HEADERS = ("自评等级", "资料齐全", "自评说明")
YES_NO = ("是", "否")
TOTAL_ROW = "合计"
# Column widths in characters (a CJK character counts two): the indicator and content wrap.
WIDTHS = {
    "序号": 7, "考核指标": 24, "考核内容": 56, "分值": 8, "自评等级": 12, "资料齐全": 10,
    "自评说明": 30, "自评分": 9, "审核等级": 12, "审核资料齐全": 14, "审核意见": 24, "考核得分": 10,
}
WRAPPED = ("考核指标", "考核内容", "自评说明", "审核意见")


def points_cell(value) -> Number:
    """Points as a number cell: 25 shows as 25, 2.5 as 2.5."""
    if value is None or value == "":
        return Number(None)
    value = Decimal(value)
    return Number(value, "0" if value == value.to_integral_value() else "0.0#")


def score_cell(value) -> Number:
    """A score as a number cell with two decimals (blank while not scored)."""
    if value is None or value == "":
        return Number(None)
    return Number(Decimal(value), "0.00")


def _list_validation(choices, prompt: str) -> DataValidation:
    validation = DataValidation(
        type="list", formula1='"{}"'.format(",".join(choices)), allow_blank=True,
        showDropDown=False, showErrorMessage=True, showInputMessage=True,
        errorTitle=_("Not in the list"), error=_("Choose one of: %(choices)s") % {"choices": "、".join(choices)},
        promptTitle=_("Choose from the list"), prompt=prompt,
    )
    return validation


def finish_offline_sheet(worksheet) -> None:
    """Drop-downs, widths, wrapping and protection of the exported xlsx sheet."""
    headers = {cell.value: cell.column for cell in worksheet[1]}
    last = worksheet.max_row
    unit_rows = [row for row in range(2, last + 1)
                 if worksheet.cell(row=row, column=headers["序号"]).value != TOTAL_ROW]
    for header, width in WIDTHS.items():
        if header in headers:
            worksheet.column_dimensions[get_column_letter(headers[header])].width = width
    for header in WRAPPED:
        for row in unit_rows:
            cell = worksheet.cell(row=row, column=headers[header])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for header in INPUT_HEADERS:
        for row in unit_rows:
            worksheet.cell(row=row, column=headers[header]).protection = Protection(locked=False)
    if unit_rows:
        grades = _list_validation(tuple(GRADE_FILE_NAMES), _("The grade of this unit: choose it from the list."))
        docs = _list_validation(YES_NO, _("Are the documents complete? Choose yes or no from the list."))
        for validation, header in ((grades, "自评等级"), (docs, "资料齐全")):
            letter = get_column_letter(headers[header])
            validation.add(f"{letter}{unit_rows[0]}:{letter}{unit_rows[-1]}")
            worksheet.add_data_validation(validation)
    worksheet.freeze_panes = "C2"  # the header row and 序号/考核指标 stay in view
    protection = worksheet.protection
    protection.sheet = True  # no password: the protection guards against slips, not people
    # Still allowed on the protected sheet: resizing, selecting, filtering.
    protection.formatColumns = False
    protection.formatRows = False
    protection.autoFilter = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False
