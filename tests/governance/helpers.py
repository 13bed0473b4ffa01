"""Building governance records for tests (through the services, as users would)."""

import datetime as dt

from orgs.governance.models import Congress, CongressKind
from orgs.governance.services.congresses import (
    create_congress,
    delegates_serving,
    elect_delegates,
    record_session,
)
from unionportal.actors import SYSTEM

TODAY = dt.date(2026, 6, 15)


def congress_with(org, delegates: int, *, start=dt.date(2025, 1, 10), kind=CongressKind.WORKERS):
    congress = (Congress.objects.filter(org=org, kind=kind).first()
                or create_congress(actor=SYSTEM, org=org, kind=kind))
    elect_delegates(actor=SYSTEM, congress=congress, start=start,
                    delegates=[(f"代表{i:03d}", "") for i in range(delegates)])
    return congress


def session_with(congress, *, date=dt.date(2026, 3, 18), present=None, non_voting=(), invited=()):
    serving = list(delegates_serving(congress, date))
    return record_session(actor=SYSTEM, congress=congress, title="第一次会议", date=date,
                          present=serving[:present] if present is not None else serving,
                          non_voting=list(non_voting), invited=list(invited))
