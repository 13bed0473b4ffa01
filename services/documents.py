"""Required documents (所需材料): a step that lists documents is submitted only when each one is
attached to the case (a file labelled with it) or recorded as delivered on paper by the one
taking the step, with who brought it and when (audited).

A submission is the applicant's step: applying (the steps the application itself completes)
and each later step the applicant's staff fill in (a resubmission, 建会's own steps).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from services.models import CaseAttachment, PaperDocument, ServiceStep
from unionportal import audit
from unionportal.actors import user_or_none


@dataclass(frozen=True)
class PaperDelivery:
    """A document handed in on paper: by whom, on which day."""

    delivered_by: str
    delivered_on: dt.date


def submission_steps(steps: list[ServiceStep]) -> list[ServiceStep]:
    """The steps an application completes or opens by itself (services.submit_case): the
    applicant's opening steps without data, else the first step, which the submission opens."""
    opening = []
    for index, step in enumerate(steps):
        if index < len(steps) - 1 and step.applicant_fills and not step.data:
            opening.append(step)
        else:
            break
    return opening or steps[:1]


def provided_on(case, step: ServiceStep) -> set[str]:
    """The documents of ``step`` already on the case: attached, or delivered on paper."""
    attached = CaseAttachment.objects.filter(
        case=case, action__step_position=step.position, document__in=step.document_list,
    ).values_list("document", flat=True)
    on_paper = PaperDocument.objects.filter(case=case, step_position=step.position).values_list(
        "document", flat=True)
    return set(attached) | set(on_paper)


def check_paper(paper: dict[str, PaperDelivery], today: dt.date) -> None:
    for document, delivery in paper.items():
        if not delivery.delivered_by.strip() or delivery.delivered_on is None:
            raise ValidationError(
                _("%(document)s: say who delivered it on paper and on which day.")
                % {"document": document}, code="paper_incomplete")
        if delivery.delivered_on > today:
            raise ValidationError(_("%(document)s: the day it was delivered cannot be in the future.")
                                  % {"document": document}, code="paper_future")


def check_provided(steps: list[ServiceStep], *, documents: dict, paper: dict,
                   already: dict[int, set[str]] | None = None) -> None:
    """Refuse the submission unless each required document of ``steps`` is provided; the
    message names every missing one."""
    already = already or {}
    missing = []
    for step in steps:
        have = already.get(step.position, set()) | set(documents) | set(paper)
        missing += [name for name in step.document_list if name not in have and name not in missing]
    if missing:
        raise ValidationError(
            {"documents": _("Required documents missing: %(documents)s. Attach each one, or record "
                            "that it was delivered on paper (by whom and when).")
                          % {"documents": "、".join(missing)}},
            code="documents_missing")


def step_of(steps: list[ServiceStep], document: str) -> ServiceStep | None:
    """The step (of ``steps``) that lists ``document``."""
    return next((step for step in steps if document in step.document_list), None)


def record_paper(*, case, steps: list[ServiceStep], paper: dict[str, PaperDelivery], actor,
                 now=None) -> None:
    """Record documents delivered on paper (inside the caller's transaction), each audited."""
    now = now or timezone.now()
    for document, delivery in paper.items():
        step = step_of(steps, document)
        if step is None:
            continue
        row, _created = PaperDocument.objects.update_or_create(
            case=case, step_position=step.position, document=document,
            defaults={"delivered_by": delivery.delivered_by.strip()[:50],
                      "delivered_on": delivery.delivered_on, "recorded_by": user_or_none(actor),
                      "recorded_at": now})
        audit.record(actor=actor, action="case.paper_document", instance=case, org=case.applicant,
                     after={"step": step.position, "document": document,
                            "delivered_by": row.delivered_by,
                            "delivered_on": delivery.delivered_on.isoformat()})
