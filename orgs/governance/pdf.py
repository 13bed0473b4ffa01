"""Print contexts for the governance records; the shared renderer (unionportal/pdf.py) does the rest."""

from django.utils import translation

from orgs.governance.models import AttendeeKind, Meeting, Motion
from unionportal.pdf import render_pdf as _render_pdf

PRINT_LANGUAGE = "zh-hans"  # the print layouts are official Chinese forms, whatever the UI language


def render_pdf(template_name: str, context: dict) -> bytes:
    with translation.override(PRINT_LANGUAGE):
        return _render_pdf(template_name, context)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def render_minutes_pdf(meeting: Meeting) -> bytes:
    """A meeting's minutes sheet (会议纪要): who, when, agenda, decisions, signatures."""
    return render_pdf("orgs/governance/pdf/minutes.html", {
        "meeting": meeting,
        "org": meeting.org,
        "attendees": meeting.attendee_list(),
        "absentees": _lines(meeting.absentees),
        "agenda": _lines(meeting.agenda),
        "decisions": _lines(meeting.decisions),
    })


def render_resolution_pdf(motion: Motion) -> bytes:
    """A congress resolution record (决议): the votes against ALL delegates, and the outcome."""
    session = motion.session
    attendees = list(session.attendees.all())
    return render_pdf("orgs/governance/pdf/resolution.html", {
        "motion": motion,
        "session": session,
        "congress": session.congress,
        "org": session.congress.org,
        "present": sum(a.kind == AttendeeKind.DELEGATE for a in attendees),
        "non_voting": [a.name for a in attendees if a.kind == AttendeeKind.NON_VOTING],
        "invited": [a.name for a in attendees if a.kind == AttendeeKind.INVITED],
        "needed": motion.delegates_total // 2 + 1,
        "text": _lines(motion.text),
    })
