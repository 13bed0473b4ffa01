"""How the assessment reads the text of a 考核细则: an indicator's content split into its
numbered items, the （N分） marks of an item, an indicator name with its points.

Pure Python (no Django): the template import (``assessment.exchange``), the print layouts and
the parser of seed 003 (``fixtures.zhuzhou_assessment``) all read the text the same way.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

POINTS_RE = re.compile(r"[（(]\s*(?P<points>\d+(?:\.\d+)?)\s*分\s*[）)]")
NAME_POINTS_RE = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<points>\d+(?:\.\d+)?)\s*分\s*[）)]$")
# What may stand right before an item number: the cell's start, a line break, or the end of
# the previous item (its sentence end or its points mark).
ITEM_BOUNDARY = "\n。；;，,）)"
# Spaces next to a Chinese character or mark are layout left over from the office file
# (“双联”  维权帮扶), not part of the name; spaces between Latin words are.
_STRAY_SPACE = re.compile(r"(?<=[^\x00-\x7f\s])\s+|\s+(?=[^\x00-\x7f\s])")


@dataclass(frozen=True)
class Item:
    """One numbered content item (考核内容) of an indicator."""

    number: str  # the item's own number in the document: "1", "2", …
    text: str  # as written, without the number prefix; its （N分） marks are kept
    points: Decimal | None  # sum of its （N分） marks, None when it has none


def item_points(text: str) -> Decimal | None:
    """The sum of the （N分） marks in a text: one item may carry several."""
    marks = [Decimal(m["points"]) for m in POINTS_RE.finditer(text)]
    return sum(marks, Decimal(0)) if marks else None


def _find_item_mark(content: str, number: int, start: int) -> tuple[int, int] | None:
    """Where item `number` (written `N、` or `N.`) begins, and where its text begins."""
    pattern = re.compile(rf"(?<![0-9]){number}[、.．]")
    for match in pattern.finditer(content, start):
        before = content[: match.start()].rstrip(" \u3000")
        if not before or before[-1] in ITEM_BOUNDARY:
            return match.start(), match.end()
    return None


def _item_marks(content: str) -> list[tuple[int, int]]:
    """The item marks in order 1, 2, 3…; numbers are sought in sequence so `1次` is no item."""
    marks: list[tuple[int, int]] = []
    while found := _find_item_mark(content, len(marks) + 1, marks[-1][1] if marks else 0):
        marks.append(found)
    # Content that does not open with item 1 (供销 writes prose) has no numbered items.
    return marks if marks and marks[0][0] == 0 else []


def split_items(content: str) -> tuple[Item, ...]:
    marks = _item_marks(content)
    if not marks:
        return ()
    ends = [start for start, _ in marks[1:]] + [len(content)]
    items = []
    for number, ((_, body), end) in enumerate(zip(marks, ends, strict=True), start=1):
        text = content[body:end].strip()
        items.append(Item(str(number), text, item_points(text)))
    return tuple(items)


def tidy_name(text: str) -> str:
    """An indicator name without stray spaces: `“双联”  维权帮扶` → `“双联”维权帮扶`."""
    return _STRAY_SPACE.sub("", " ".join(text.split()))


def split_name_points(cell: str) -> tuple[str, Decimal | None]:
    """`组织建设（25分）` → (`组织建设`, 25); a name without points stays as it is (stray
    spaces aside, see ``tidy_name``)."""
    match = NAME_POINTS_RE.match(cell)
    if match is None:
        return tidy_name(cell), None
    return tidy_name(match["name"]), Decimal(match["points"])
