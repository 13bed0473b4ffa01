"""会员评家 (seed 004): the contents members rate, and the validity of an evaluation."""

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

from assessment.models.evaluation import MIN_FRONTLINE, MIN_PARTICIPATION
from fixtures.sources import STREET_RULES, read_source

COMMITTEE_HEADING = "民主评议建家工作的主要内容"
LEADERS_HEADING = "民主评议基层单位工会主席、工会委员的主要内容"
ITEM_RE = re.compile(r"^[（(](\d+)[）)](.+)$")


@dataclass(frozen=True)
class Contents:
    committee: tuple[str, ...]  # six contents on which the union committee is rated
    leaders: tuple[str, ...]  # five contents on which the chair and vice-chairs are rated


def _items_after(lines: list[str], heading: str) -> tuple[str, ...]:
    start = next(i for i, line in enumerate(lines) if heading in line)
    items = []
    for line in lines[start + 1:]:
        match = ITEM_RE.match(line.strip())
        if not match:
            if items:
                break
            continue
        text = match[2].strip()
        # The committee contents open with a short title: （1）健全组织体系。…
        items.append(text.split("。")[0] if "。" in text[:12] else text.rstrip("。"))
    return tuple(items)


@cache
def evaluation_contents() -> Contents:
    lines = read_source(STREET_RULES).split("\n")
    return Contents(_items_after(lines, COMMITTEE_HEADING), _items_after(lines, LEADERS_HEADING))


class _LazyContents:
    def __getattr__(self, name):
        return getattr(evaluation_contents(), name)


EVALUATION_CONTENTS = _LazyContents()


def validity_reasons(evaluation) -> list[str]:
    """Why an evaluation is (in)valid, in the words of the thresholds."""
    reasons = []
    if evaluation.frontline_participants > evaluation.participants:
        reasons.append(_("More frontline participants than participants."))
    if not evaluation.meets_participation:
        reasons.append(_("Participants are under %(share)s of members (or member representatives).")
                       % {"share": f"{MIN_PARTICIPATION:.0%}"})
    if not evaluation.meets_frontline:
        reasons.append(_("Frontline participants are under %(share)s of participants.")
                       % {"share": f"{MIN_FRONTLINE:.0%}"})
    if reasons and evaluation.superior_approval and evaluation.frontline_participants <= evaluation.participants \
            and evaluation.participants > 0:
        reasons.append(_("The superior union approved the lower ratio, so the evaluation is valid."))
    return reasons
