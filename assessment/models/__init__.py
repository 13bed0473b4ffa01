"""The assessment app's models: templates (templates.py), rounds and sheets (sheets.py),
and the member evaluation of the union, 会员评家 (evaluation.py)."""

from assessment.models.evaluation import (  # noqa: F401
    EvaluationRating,
    MemberEvaluation,
    RatingSubject,
    Rectification,
)
from assessment.models.sheets import (  # noqa: F401
    GRADE_FILE_LABELS,
    GRADE_FILE_NAMES,
    Evidence,
    Grade,
    Round,
    Sheet,
    SheetEvent,
    SheetStatus,
    Unit,
)
from assessment.models.templates import (  # noqa: F401
    AssesseeRule,
    Indicator,
    Item,
    Template,
)
