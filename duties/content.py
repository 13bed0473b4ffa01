"""A duty catalogue's content (职责清单) as plain data, and the splitters of its cells.

``Catalogue``, ``DutyItem``, ``Department`` and ``Workflow`` are how catalogue content travels
through the duties app: the import builds them, ``duties.services.create_version`` stores them,
``version_data`` reads a stored version back into them (for drafts, diffs and exports), and
the seed parsers in ``fixtures/`` produce them from the source documents.

Cells come from office files: they carry stray tabs, full-width spaces (　) and office
bookmarks.  ``clean_cell`` removes only those artefacts; the splitters turn one cell (运行流程,
运行要件, 责任事项, 法定依据) into its parts, and the joiners write the parts back as a person
would.  Nothing here imports Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Brackets whose content is never split: titles 《》, notes （）, document numbers 〔〕 【】 [],
# quotes “” ‘’ and the ASCII title marks <> some documents use inside 《》.
OPENING_BRACKETS = "《〈<（(〔【[“‘"
CLOSING_BRACKETS = "》〉>）)〕】]”’"

# 运行流程 separators.  The documents mix ASCII, em and full-width dashes; en dash and
# horizontal bar look the same on paper, so they count too.  A run of them (“——”) is one.
WORKFLOW_SEPARATORS = "-—－→–―"

# A cell of the form “办理程序：…” holds a titled workflow (seed 001, item 3.2).
_WORKFLOW_TITLE = re.compile(r"^(?P<title>[^：:\s]{1,12}?(?:程序|流程))\s*[：:]\s*")

# “[bookmark: _GoBack]” and its kin: Word bookmarks leaked into the copied text.
_OFFICE_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")

# Numbering in front of a 责任事项 line: “1.”, “1．”, “1、”, “（1）”, “(1)”, “一、”.
_LIST_NUMBER = re.compile(
    r"^\s*(?:\d+\s*[.．、](?!\d)|[（(]\s*\d+\s*[）)]|[一二三四五六七八九十]+\s*、)\s*"
)
# The same numbering after a sentence end inside one line (“…；2.…”).
_INLINE_LIST_NUMBER = re.compile(r"(?<=[；;。])\s*(?=\d+\s*[.．、](?!\d)|[（(]\d+[）)])")

@dataclass(frozen=True)
class Department:
    """An implementing office (实施机构) and how the public can reach it (监督方式)."""

    name: str
    supervision: str


@dataclass(frozen=True)
class Workflow:
    """One 运行流程: its steps in order, and the cell text it was read from."""

    title: str  # empty when the cell holds a single workflow
    steps: tuple[str, ...]
    text: str  # as written, including a “办理程序：” title prefix when there is one


@dataclass(frozen=True)
class DutyItem:
    """One duty (职责事项) of a catalogue; fields a document lacks stay empty."""

    number: str  # “1.1” in seed 001, “1” in lists numbered 一、/（一）
    name: str
    category: str = ""  # 主要职责: the heading the item is grouped under
    legal_basis: tuple[str, ...] = ()  # 法定依据
    department: str = ""  # 实施机构
    boundary: str = ""  # 职责边界
    workflows: tuple[Workflow, ...] = ()  # 运行流程
    documents: tuple[str, ...] = ()  # 运行要件
    responsibilities: tuple[str, ...] = ()  # 责任事项
    supervision: str = ""  # 监督方式, only where it differs from the department's
    aliases: tuple[str, ...] = ()  # other wordings of the name found in the same document
    category_number: str = ""  # the 主要职责's own number, so the loader can keep its order
    # 法定依据 / 责任事项 as the document writes them (its own 和 and ；, its own 1、 numbering),
    # only where that differs from the parts re-joined (``as_written``).
    legal_basis_text: str = ""
    responsibilities_text: str = ""


@dataclass(frozen=True)
class Catalogue:
    """One duty list of one organisation."""

    org_name: str
    title: str
    items: tuple[DutyItem, ...]
    departments: tuple[Department, ...] = ()

    def item(self, number: str) -> DutyItem:
        """The item numbered ``number``; KeyError if there is none."""
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(number)

    @property
    def categories(self) -> tuple[tuple[str, str], ...]:
        """The (number, text) of each 主要职责, in the order the items first use them."""
        seen: dict[tuple[str, str], None] = {}
        for item in self.items:
            if item.category:
                seen.setdefault((item.category_number, item.category), None)
        return tuple(seen)


# --- cleaning -------------------------------------------------------------------------------


def clean_cell(text: str) -> str:
    """A cell's text without office artefacts and without whitespace around each line.

    Line breaks inside the cell are kept: they separate 责任事项 and 监督方式 lines.  Lines are
    stripped one by one because continuation lines come indented by the copy (“  投诉邮箱”).
    """
    text = _OFFICE_BOOKMARK.sub("", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def join_lines(text: str) -> str:
    """A wrapped one-line cell (“评选劳模\\n及帮扶劳模”) as the single line it is."""
    return "".join(line.strip() for line in clean_cell(text).split("\n"))


# --- splitters ------------------------------------------------------------------------------


def _bracket_depths(text: str) -> list[int]:
    """For each character, how many brackets are open before it (never below zero)."""
    depths = []
    depth = 0
    for char in text:
        if char in CLOSING_BRACKETS:
            depth = max(depth - 1, 0)
        depths.append(depth)
        if char in OPENING_BRACKETS:
            depth += 1
    return depths


def _strip_parts(parts: list[str]) -> tuple[str, ...]:
    return tuple(part for part in (p.strip() for p in parts) if part)


def split_workflow(text: str) -> tuple[str, ...]:
    """The steps of one 运行流程, in order.

    Steps are separated by ``-``, ``—``, ``——``, ``－`` or ``→``, mixed freely; a run of
    separators is one separator.  Not a separator: a dash inside brackets (“（2016—2020）”)
    and a single dash between two digits (“2016-2020”).  A line break also ends a step,
    since a hard break in a flow cell starts a new paragraph.
    """
    text = clean_cell(text)
    depths = _bracket_depths(text)
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            parts.append("".join(current))
            current = []
            i += 1
            continue
        if char in WORKFLOW_SEPARATORS and depths[i] == 0:
            end = i
            while end < len(text) and text[end] in WORKFLOW_SEPARATORS:
                end += 1
            is_range = (
                end - i == 1 and i > 0 and end < len(text)
                and text[i - 1].isdigit() and text[end].isdigit()
            )
            if not is_range:
                parts.append("".join(current))
                current = []
                i = end
                continue
        current.append(char)
        i += 1
    parts.append("".join(current))
    return _strip_parts(parts)


def parse_workflows(text: str) -> tuple[Workflow, ...]:
    """A 运行流程 cell as its workflows.

    Usually the cell is one untitled workflow.  Lines opening with a title such as
    “办理程序：” each start a titled workflow; lines after it without a title belong to it.
    """
    text = clean_cell(text)
    if not text:
        return ()
    lines = text.split("\n")
    if not _WORKFLOW_TITLE.match(lines[0]):
        return (Workflow(title="", steps=split_workflow(text), text=text),)

    chunks: list[list[str]] = []
    for line in lines:
        if _WORKFLOW_TITLE.match(line) or not chunks:
            chunks.append([line])
        else:
            chunks[-1].append(line)
    workflows = []
    for chunk in chunks:
        chunk_text = "\n".join(chunk)
        match = _WORKFLOW_TITLE.match(chunk_text)
        assert match is not None  # every chunk opens with a title line
        workflows.append(
            Workflow(
                title=match["title"],
                steps=split_workflow(chunk_text[match.end():]),
                text=chunk_text,
            )
        )
    return tuple(workflows)


def split_documents(text: str) -> tuple[str, ...]:
    """The 运行要件 of a cell: separated by ``、``, ``,`` or ``，`` (or a line break)."""
    text = clean_cell(text)
    depths = _bracket_depths(text)
    parts: list[str] = []
    current: list[str] = []
    for char, depth in zip(text, depths, strict=True):
        if depth == 0 and char in "、,，\n":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return _strip_parts(parts)


def split_responsibilities(text: str) -> tuple[str, ...]:
    """The 责任事项 of a cell, one per line or per number, without their number prefix.

    Accepted numbering: ``1.``, ``1．``, ``1、``, ``（1）``, ``(1)``, ``一、``.  Numbered items
    run together on one line (“…；2.…”) are split as well; the punctuation that ends an
    item (；;。) is part of its text and kept.
    """
    items = []
    for line in clean_cell(text).split("\n"):
        for piece in _INLINE_LIST_NUMBER.split(line):
            piece = _LIST_NUMBER.sub("", piece, count=1).strip()
            if piece:
                items.append(piece)
    return tuple(items)


def split_legal_basis(text: str) -> tuple[str, ...]:
    """The laws and documents a 法定依据 cell cites, each as written.

    “《工会法》、《中国工会章程》” and “《工会法》和《中国工会章程》” both give two titles, as do
    titles written back to back (“《工会法》《中国工会章程》”).  Text around a title stays
    with it: an issuer in front (“市总工会《…》”) and a document number after it
    (“《…》（津工通〔2015〕54号）”).  Separators inside a title (“《…市、区级…》”) do not
    split, and a line break inside a title is a wrap: the title is joined up.
    """
    text = _join_wrapped_titles(clean_cell(text))
    depths = _bracket_depths(text)
    parts: list[str] = []
    current: list[str] = []
    has_title = False  # the current part already holds a closed 《…》
    for i, (char, depth) in enumerate(zip(text, depths, strict=True)):
        if depth == 0:
            if char in "、，,；;\n":
                parts.append("".join(current))
                current, has_title = [], False
                continue
            if char in "和及与" and has_title and text[i + 1:].lstrip().startswith("《"):
                parts.append("".join(current))
                current, has_title = [], False
                continue
            if char == "《" and has_title:
                parts.append("".join(current))
                current, has_title = [], False
        current.append(char)
        if char == "》" and depth == 0:  # a closing bracket is counted after it closes
            has_title = True
    parts.append("".join(current))
    return _strip_parts(parts)


def _join_wrapped_titles(text: str) -> str:
    """Remove line breaks (and the spaces around them) that fall inside a 《…》 title."""
    depths = _bracket_depths(text)
    # clean_cell has already removed the spaces around each break
    return "".join(
        char for char, depth in zip(text, depths, strict=True) if not (char == "\n" and depth)
    )


# --- the text as written ----------------------------------------------------------------------


def join_legal_basis(parts) -> str:
    """法定依据 parts joined the way a person writes them, if they split back the same; else
    one per line."""
    parts = tuple(parts)
    text = "、".join(parts)
    return text if split_legal_basis(text) == parts else "\n".join(parts)


def join_responsibilities(parts) -> str:
    """责任事项 parts, numbered ``1.`` one per line."""
    return "\n".join(f"{index}. {text}" for index, text in enumerate(parts, start=1))


def legal_basis_as_written(text: str) -> str:
    """The 法定依据 cell as the document writes it (a title wrapped over two lines joined up),
    or "" when that is just its parts re-joined."""
    written = _join_wrapped_titles(clean_cell(text))
    return "" if written == join_legal_basis(split_legal_basis(written)) else written


def responsibilities_as_written(text: str) -> str:
    """The 责任事项 cell as the document writes it, or "" when that is its parts re-numbered."""
    written = clean_cell(text)
    return "" if written == join_responsibilities(split_responsibilities(written)) else written
