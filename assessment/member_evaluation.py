"""会员评家 (seed 004): the contents members rate, and the validity of an evaluation."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from assessment.models.evaluation import MIN_FRONTLINE, MIN_PARTICIPATION

# The contents members rate, as seed 004 states them: data, written from the source document
# by ``assessment.seeding.write_evaluation_contents`` (never parsed at run time).
CONTENTS_FILE = Path(__file__).resolve().parent / "data" / "member_evaluation_contents.json"


@dataclass(frozen=True)
class Contents:
    committee: tuple[str, ...]  # six contents on which the union committee is rated
    leaders: tuple[str, ...]  # five contents on which the chair and vice-chairs are rated


@cache
def evaluation_contents() -> Contents:
    data = json.loads(CONTENTS_FILE.read_text(encoding="utf-8"))
    return Contents(tuple(data["committee"]), tuple(data["leaders"]))


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
