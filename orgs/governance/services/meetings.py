"""Meetings of the union (会议记录) and their minutes."""

import datetime as dt

from django.db import transaction

from orgs.access import Action, require
from orgs.governance import quorum
from orgs.governance.models import Meeting
from orgs.governance.services._common import _snapshot, _update
from orgs.models import Org
from unionportal import audit
from unionportal.actors import user_or_none
from unionportal.uploads import PDF_IMAGES_WORD, check_upload

MEETING_FIELDS = ("kind", "date", "chaired_by", "attendees", "absentees", "agenda", "decisions",
                  "members_total", "quorum_needed", "quorate")

# Minutes: PDF, PNG, JPEG or Word (.docx), 10 MB at most.
MINUTES_TYPES = PDF_IMAGES_WORD


def record_meeting(*, actor, org: Org, kind: str, date: dt.date, attendees: str, agenda: str,
                   chaired_by: str = "", absentees: str = "", decisions: str = "",
                   members_total: int | None = None, minutes=None) -> Meeting:
    if minutes is not None:
        check_upload(minutes, allowed=MINUTES_TYPES)
    with transaction.atomic():
        require(actor, Action.RECORD, org)
        meeting = Meeting(org=org, kind=kind, date=date, attendees=attendees, agenda=agenda,
                          chaired_by=chaired_by, absentees=absentees, decisions=decisions,
                          members_total=members_total, created_by=user_or_none(actor))
        meeting.full_clean()
        quorum.check_meeting_attendance(meeting)
        if minutes is not None:
            meeting.minutes_name = minutes.name[:200]
            meeting.minutes.save(minutes.name, minutes, save=False)
        meeting.save()
        audit.record(actor=actor, action="governance.meeting.create", instance=meeting, org=org,
                     after=_snapshot(meeting))
    return meeting


def update_meeting(*, actor, meeting: Meeting, expected_version: int | None, minutes=None,
                   **changes) -> Meeting:
    if minutes is not None:
        check_upload(minutes, allowed=MINUTES_TYPES)

    def attach(current):
        quorum.check_meeting_attendance(current)
        if minutes is not None:
            current.minutes_name = minutes.name[:200]
            current.minutes.save(minutes.name, minutes, save=False)

    return _update(Meeting, meeting, actor=actor, org=meeting.org, expected_version=expected_version,
                   fields=(*MEETING_FIELDS, "minutes", "minutes_name"),
                   action="governance.meeting.update", changes=changes, check=attach)
