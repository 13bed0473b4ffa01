"""The governance app's models: the records of seed 004 (records.py), voiding (voiding.py) and
the federation's quorum rules (federation.py).  Their tables keep the ``orgs_`` names they had
before governance became an app of its own."""

from orgs.governance.models.federation import (  # noqa: F401
    DEFAULT_COMMITTEE_QUORUM,
    DEFAULT_CONGRESS_QUORUM,
    FederationRules,
)
from orgs.governance.models.records import (  # noqa: F401
    AttendeeKind,
    CommitteeKind,
    CommitteeMember,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressKind,
    CongressSession,
    Consultation,
    Delegate,
    Expense,
    ExpenseKind,
    ExpenseLimits,
    MandateBasis,
    MandateEnd,
    Meeting,
    MeetingKind,
    Motion,
    MotionOutcome,
    PaymentMethod,
    Recorded,
    SessionAttendee,
    SpecialCommittee,
    minutes_upload_to,
)
from orgs.governance.models.voiding import VOID_REASON_MAX_LENGTH, Voidable  # noqa: F401
