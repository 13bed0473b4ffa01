"""The services app's models: case workflows (cases.py), model workers (workers.py), funds (funds.py)."""

from services.models.cases import (  # noqa: F401
    Actor,
    Case,
    CaseAction,
    CaseAttachment,
    CaseStatus,
    LegalPersonCertificate,
    Officer,
    OfficerRole,
    ServiceKind,
    ServiceStep,
    ServiceType,
    StepData,
    StepOutcome,
)
from services.models.documents import PaperDocument  # noqa: F401
from services.models.funds import FundRecord, MutualAidRound, RoundStatus  # noqa: F401
from services.models.workers import BudgetRate, ModelWorker, WorkerLevel  # noqa: F401
