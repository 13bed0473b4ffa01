"""Typed columns of the exchange files: each cell's check written once.

A typed column is a ``tabular.Column`` (key, Chinese and English header, required) that also
knows its cell: ``clean(text)`` returns the value or raises ``CellError`` with the message the
file's report shows (``row N: COLUMN: message`` on the command line, 第 N 行 in the UI);
``read(row, report)`` does that for one row and records the problem. The exchange modules of
orgs, duties, assessment and member services declare their columns with these classes.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from unionportal.tabular import Column, Report, Row, parse_yes_no


class CellError(ValueError):
    """One cell's problem, in the words the report shows."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TypedColumn(Column):
    def clean(self, text: str):
        return text

    def read(self, row: Row, report: Report, default=None):
        """The cell's value; on a problem, a row error in ``report`` and ``default``."""
        try:
            return self.clean(row[self.key])
        except CellError as exc:
            report.error(row, self.key, exc.message)
            return default


@dataclass(frozen=True)
class TextColumn(TypedColumn):
    """Text of at most ``max_length`` characters; ``show_length`` adds the length found."""

    max_length: int | None = None
    show_length: bool = False

    def clean(self, text: str) -> str:
        if self.max_length is not None and len(text) > self.max_length:
            if self.show_length:
                raise CellError(_("is longer than %(max)d characters (%(length)d).")
                                % {"max": self.max_length, "length": len(text)})
            raise CellError(_("is longer than %(max)d characters.") % {"max": self.max_length})
        return text


@dataclass(frozen=True)
class IntegerColumn(TypedColumn):
    """A whole number; blank is None unless ``required``. ``low``/``high`` bound it: with only
    ``low=0`` the message says "must not be negative", with both "must be between"."""

    low: int | None = None
    high: int | None = None

    def clean(self, text: str) -> int | None:
        text = text.strip()
        if text == "" and not self.required:
            return None
        try:
            value = int(text)
        except ValueError:
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
        if self.high is None and self.low == 0 and value < 0:
            raise CellError(_("must not be negative (found %(value)s).") % {"value": value})
        if self.high is not None and not (self.low or 0) <= value <= self.high:
            raise CellError(_("must be between %(low)d and %(high)d (found %(value)d).")
                            % {"low": self.low or 0, "high": self.high, "value": value})
        return value

    def bounded(self, high: int) -> "IntegerColumn":
        """The same column with an upper bound known only when importing (this year…)."""
        return IntegerColumn(self.key, self.zh, self.en, self.required, low=self.low, high=high)


@dataclass(frozen=True)
class YesNoColumn(TypedColumn):
    """是 or 否 (yes/no, as ``tabular.parse_yes_no`` reads them); blank is ``blank``."""

    blank: bool | None = None
    # "write": 'write 是 or 否 (found …)'; "neither": '“…” is neither 是 (yes) nor 否 (no).';
    # "not": '“…” is not 是 or 否.'
    message: str = "write"

    def clean(self, text: str) -> bool | None:
        if not text.strip() and self.blank is not None:
            return self.blank
        value = parse_yes_no(text)
        if value is not None:
            return value
        if self.message == "neither":
            raise CellError(_("“%(value)s” is neither 是 (yes) nor 否 (no).") % {"value": text})
        if self.message == "not":
            raise CellError(_("“%(value)s” is not 是 or 否.") % {"value": text})
        raise CellError(_("write 是 or 否 (found “%(value)s”).") % {"value": text})


@dataclass(frozen=True)
class ChoiceColumn(TypedColumn):
    """One of ``choices`` (the file's word → the stored value, e.g. 市级 → city); the stored
    values themselves are accepted too. ``unknown`` is the message, with %(value)s (or the
    placeholder ``value_name`` names)."""

    choices: tuple[tuple[str, str], ...] = ()
    unknown: str = ""
    value_name: str = "value"

    def clean(self, text: str) -> str:
        text = text.strip()
        words = dict(self.choices)
        if text in words:
            return words[text]
        if text.lower() in words.values():
            return text.lower()
        raise CellError(self.unknown % {self.value_name: text})


@dataclass(frozen=True)
class YearColumn(TypedColumn):
    """A calendar year between ``low`` and ``high``; anything else "is not a year"."""

    low: int = 1900
    high: int = 2999

    def clean(self, text: str) -> int:
        try:
            year = int(text)
        except ValueError:
            year = None
        if year is None or not self.low <= year <= self.high:
            raise CellError(_("“%(value)s” is not a year.") % {"value": text})
        return year


@dataclass(frozen=True)
class PositiveDecimalColumn(TypedColumn):
    """A number above zero (a weight, points), read exactly as ``Decimal``."""

    def clean(self, text: str) -> Decimal:
        try:
            value = Decimal(text)
            if value <= 0:
                raise InvalidOperation
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a positive number.") % {"value": text}) from None
        return value
