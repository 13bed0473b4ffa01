"""Every write of the assessment, split by aggregate as Zulip split its actions.

    templates    save, copy, change the factors of, delete an assessment template
    rounds       open a round (each assessee gets its sheet), remind, finalise a round
    sheets       the staff's self-assessment and the review form
    transitions  the workflow as one table: ``TRANSITIONS`` and ``apply_transition``
    evidence     a sheet's evidence files
    evaluation   会员评家, the member evaluation of a union

Each public function takes the acting user (``actor``) and asks the gate at its door; a step
runs in one transaction with its row locked, bumps the version, writes the sheet's history
and the audit trail.  Callers import from here: ``from assessment import services``.
"""

from assessment.selectors import points_warning_text
from assessment.services._common import (
    EDITABLE_BY_STAFF,
    SCORING_STATUSES,
    ConflictError,
    Entry,
)
from assessment.services.evaluation import (
    RatingSpec,
    delete_member_evaluation,
    publish_evaluation_results,
    rating_contents,
    record_rectification,
    record_superior_approval,
    save_member_evaluation,
)
from assessment.services.evidence import MAX_EVIDENCE_BYTES, add_evidence, delete_evidence
from assessment.services.rounds import (
    OpenedRound,
    copied_template_line,
    finalise_round,
    open_round,
    remind,
)
from assessment.services.sheets import (
    ReviewOutcome,
    ReviewStep,
    SubmitOutcome,
    review_step,
    save_review,
    save_self_assessment,
    submit_self_assessment,
)
from assessment.services.templates import (
    IndicatorSpec,
    ItemSpec,
    assessee_key,
    copy_template,
    delete_template,
    points_warnings,
    save_template,
    update_template_factors,
    weight_error,
)
from assessment.services.transitions import (
    TRANSITIONS,
    SheetPermissions,
    Transition,
    apply_transition,
    sheet_permissions,
)

__all__ = [
    "EDITABLE_BY_STAFF", "MAX_EVIDENCE_BYTES", "SCORING_STATUSES", "TRANSITIONS", "ConflictError", "Entry",
    "IndicatorSpec", "ItemSpec", "OpenedRound", "RatingSpec", "ReviewOutcome", "ReviewStep", "SheetPermissions",
    "SubmitOutcome", "Transition", "add_evidence", "apply_transition", "assessee_key", "copied_template_line",
    "copy_template", "delete_evidence", "delete_member_evaluation", "delete_template", "finalise_round",
    "open_round", "points_warning_text", "points_warnings", "publish_evaluation_results", "rating_contents",
    "record_rectification", "record_superior_approval", "remind", "review_step", "save_member_evaluation",
    "save_review", "save_self_assessment", "save_template", "sheet_permissions", "submit_self_assessment",
    "update_template_factors", "weight_error",
]
