"""The scoring rule of the 考核细则, exactly as interfaces.md states it, in decimals.

    unit score = points × (grade factor − document penalty), never below 0
    grade factor: 全面完成 1.0 · 基本完成 0.7 · 未完成 0
    document penalty: 0.2 when documents are incomplete, else 0

An indicator's score is the sum of its (rounded) unit scores, multiplied by weight ÷ (sum of
its units' points) when those points do not add up to the weight.  Each unit score and each
indicator score is rounded half-up to 2 decimals; the total is the sum of the indicator scores.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Factors:
    full: Decimal = Decimal("1.0")
    basic: Decimal = Decimal("0.7")
    none: Decimal = ZERO
    docs_penalty: Decimal = Decimal("0.2")

    @classmethod
    def of(cls, template) -> "Factors":
        return cls(template.full_factor, template.basic_factor, template.none_factor,
                   template.docs_penalty)

    def grade_factor(self, grade: str) -> Decimal:
        return {"full": self.full, "basic": self.basic, "none": self.none}[grade]


DEFAULT_FACTORS = Factors()


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def unit_score(points: Decimal, grade: str, docs_complete: bool | None,
               factors: Factors = DEFAULT_FACTORS) -> Decimal | None:
    """A graded unit's score, or None while it is ungraded (a blank grade)."""
    if not grade:
        return None
    penalty = ZERO if docs_complete else factors.docs_penalty
    return round2(max(ZERO, Decimal(points) * (factors.grade_factor(grade) - penalty)))


def indicator_score(weight: Decimal, units: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal:
    """The indicator's score from (points, score) of its units; ungraded units count 0."""
    units = list(units)
    points = sum((Decimal(p) for p, _score in units), ZERO)
    total = sum((score for _points, score in units if score is not None), ZERO)
    if points and points != weight:
        total = total * Decimal(weight) / points
    return round2(total)


def needs_scaling(weight: Decimal, points: Iterable[Decimal]) -> bool:
    total = sum((Decimal(p) for p in points), ZERO)
    return bool(total) and total != weight


def sheet_total(indicator_scores: Iterable[Decimal]) -> Decimal:
    return sum(indicator_scores, ZERO)


def num(value) -> str:
    """A decimal as a person writes it: 20, 17.5, 8.75 (no exponent, no trailing zeros)."""
    if value is None or value == "":
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- a sheet's scores (model instances in, no queries) -----------------------------------


def indicator_scores(units, indicators: dict, factors: Factors) -> list[dict]:
    """The stored per-indicator rows of a sheet from its units (``indicators``: id → indicator)."""
    by_indicator: dict[int, list] = {}
    for unit in units:
        by_indicator.setdefault(unit.indicator_id, []).append(unit)
    rows = []
    for indicator_id, members in by_indicator.items():
        indicator = indicators[indicator_id]
        self_score = indicator_score(indicator.weight, [(u.points, u.self_score) for u in members])
        final_graded = all(u.review_grade for u in members)
        final = indicator_score(indicator.weight, [(u.points, u.final_score) for u in members])
        rows.append({"number": indicator.number, "name": " ".join(indicator.name.split()),
                     "weight": str(indicator.weight), "self": str(self_score),
                     "final": str(final) if final_graded else None,
                     "scaled": needs_scaling(indicator.weight, [u.points for u in members])})
    return rows


def recompute(sheet, units) -> None:
    """Every unit's self and final score, the indicator scores and the sheet's totals."""
    factors = Factors.of(sheet.template)
    for unit in units:
        unit.self_score = unit_score(unit.points, unit.self_grade, unit.self_docs, factors)
        unit.final_score = unit_score(unit.points, unit.review_grade, unit.review_docs, factors)
    indicators = {unit.indicator_id: unit.indicator for unit in units}
    sheet.indicator_scores = indicator_scores(units, indicators, factors)
    sheet.self_total = sheet_total(Decimal(row["self"]) for row in sheet.indicator_scores)
    if units and all(unit.review_grade for unit in units):
        sheet.final_total = sheet_total(Decimal(row["final"]) for row in sheet.indicator_scores)
    else:
        sheet.final_total = None
