"""The typed columns (unionportal/columns.py): a value, or the row error the report shows."""

from decimal import Decimal

import pytest
from django.utils import translation

from unionportal.columns import (
    CellError,
    ChoiceColumn,
    IntegerColumn,
    PositiveDecimalColumn,
    TextColumn,
    YearColumn,
    YesNoColumn,
)
from unionportal.tabular import Report, Row


def _row(text):
    return Row(number=4, cells={"x": text}, headers={"x": "列"})


@pytest.mark.parametrize(("column", "text", "value"), [
    (IntegerColumn("x", "列", "x", low=0), "", None),
    (IntegerColumn("x", "列", "x", low=0), "12", 12),
    (IntegerColumn("x", "列", "x", required=True, low=1, high=99), " 7 ", 7),
    (YesNoColumn("x", "列", "x", blank=True), "", True),
    (YesNoColumn("x", "列", "x"), "否", False),
    (ChoiceColumn("x", "列", "x", choices=(("市级", "city"),), unknown="?"), "市级", "city"),
    (ChoiceColumn("x", "列", "x", choices=(("市级", "city"),), unknown="?"), "CITY", "city"),
    (TextColumn("x", "列", "x", max_length=3), "abc", "abc"),
    (YearColumn("x", "列", "x"), "2027", 2027),
    (PositiveDecimalColumn("x", "列", "x"), "12.5", Decimal("12.5")),
])
def test_clean_returns_the_value(column, text, value):
    assert column.clean(text) == value


@pytest.mark.parametrize(("column", "text", "message"), [
    (IntegerColumn("x", "列", "x", low=0), "x1", "“x1” is not a whole number."),
    (IntegerColumn("x", "列", "x", low=0), "-2", "must not be negative (found -2)."),
    (IntegerColumn("x", "列", "x", required=True, low=1, high=99), "100", "must be between 1 and 99 (found 100)."),
    (IntegerColumn("x", "列", "x", required=True, low=1950).bounded(2026), "2027",
     "must be between 1950 and 2026 (found 2027)."),
    (YesNoColumn("x", "列", "x"), "也许", "write 是 or 否 (found “也许”)."),
    (YesNoColumn("x", "列", "x", message="neither"), "也许", "“也许” is neither 是 (yes) nor 否 (no)."),
    (ChoiceColumn("x", "列", "x", choices=(("市级", "city"),), unknown="unknown “%(value)s”"), "县级",
     "unknown “县级”"),
    (TextColumn("x", "列", "x", max_length=3), "abcd", "is longer than 3 characters."),
    (TextColumn("x", "列", "x", max_length=3, show_length=True), "abcd", "is longer than 3 characters (4)."),
    (YesNoColumn("x", "列", "x", message="not"), "也许", "“也许” is not 是 or 否."),
    (ChoiceColumn("x", "列", "x", choices=(("市级", "city"),), unknown="no “%(grade)s”", value_name="grade"),
     "县级", "no “县级”"),
    (YearColumn("x", "列", "x"), "20x7", "“20x7” is not a year."),
    (YearColumn("x", "列", "x"), "1899", "“1899” is not a year."),
    (YearColumn("x", "列", "x"), "", "“” is not a year."),
    (PositiveDecimalColumn("x", "列", "x"), "0", "“0” is not a positive number."),
    (PositiveDecimalColumn("x", "列", "x"), "abc", "“abc” is not a positive number."),
    (PositiveDecimalColumn("x", "列", "x"), "NaN", "“NaN” is not a positive number."),
])
def test_a_bad_cell_is_a_row_error_with_the_message(column, text, message):
    with translation.override("en"):
        with pytest.raises(CellError) as raised:
            column.clean(text)
        assert raised.value.message == message
        report = Report()
        assert column.read(_row(text), report, default="d") == "d"
        assert str(report.errors[0]) == f"row 4: 列: {message}"
