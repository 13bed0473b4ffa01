"""Voiding (作废) governance records entered by mistake: the record stays, struck through, out
of the rule checks and dashboards, audited with who and why; the union's staff within
UNIONPORTAL_GOVERNANCE_VOID_DAYS, an admin of the subtree at any time; a record others depend
on is refused with what depends on it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orgs.governance import selectors, voiding
from orgs.governance.models import CommitteeTerm, Consultation, ExpenseKind, Meeting, MeetingKind
from orgs.governance.services.committees import record_term
from orgs.governance.services.congresses import record_motion
from orgs.governance.services.consultations import record_consultation
from orgs.governance.services.expenses import (
    approve_expense,
    pay_expense,
    record_expense,
    sign_expense,
)
from orgs.governance.services.meetings import record_meeting, update_meeting
from tests.governance.helpers import TODAY, congress_with, session_with
from tests.kit import client_for, scope_tree, user_with_role
from tests.pdftext import pdf_text
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return scope_tree()


def _meeting(org, day=TODAY, actor=SYSTEM):
    return record_meeting(actor=actor, org=org, kind=MeetingKind.STANDING_COMMITTEE, date=day,
                          attendees="甲\n乙\n丙", agenda="议题")


def _void_url(org, kind, pk):
    return reverse("orgs:governance-void", kwargs={"code": org.code, "kind": kind, "pk": pk})


def test_a_voided_meeting_stays_but_no_longer_counts_as_held(tree):
    admin = user_with_role(tree, "admin")
    org = tree.a1
    meeting = _meeting(org, dt.date(2026, 4, 20))
    assert selectors.union_status(org, TODAY).checks["standing"].status == "kept"

    voided = voiding.void_record(actor=admin, record=meeting, reason="重复录入")

    assert Meeting.objects.filter(pk=meeting.pk).exists()  # kept, not deleted
    assert voided.voided_by == admin and voided.void_reason == "重复录入" and voided.voided_at
    assert selectors.union_status(org, TODAY).checks["standing"].status != "kept"
    entry = AuditEntry.objects.get(action="governance.meeting.void", object_id=str(meeting.pk))
    assert entry.actor == admin and entry.comment == "重复录入"
    assert entry.after["void_reason"] == "重复录入" and entry.before["voided_at"] is None


def test_a_voided_record_can_no_longer_be_edited_or_voided_again(tree):
    meeting = _meeting(tree.a1)
    voiding.void_record(actor=SYSTEM, record=meeting, reason="录错单位")
    with pytest.raises(ValidationError):
        update_meeting(actor=SYSTEM, meeting=meeting, expected_version=None, agenda="改")
    with pytest.raises(ValidationError):
        voiding.void_record(actor=SYSTEM, record=meeting, reason="再次")


def test_a_reason_is_required_and_bounded(tree):
    meeting = _meeting(tree.a1)
    for reason in ("", "   ", "长" * 501):
        with pytest.raises(ValidationError):
            voiding.void_record(actor=SYSTEM, record=meeting, reason=reason)
    assert Meeting.objects.get(pk=meeting.pk).voided_at is None


def test_a_session_with_resolutions_says_what_depends_on_it(tree):
    org = tree.a1
    congress = congress_with(org, 5, start=dt.date(2025, 1, 10))
    session = session_with(congress, date=dt.date(2026, 3, 18))
    record_motion(actor=SYSTEM, session=session, title="关于集体合同的决议", votes_for=3)
    with pytest.raises(ValidationError) as refused:
        voiding.void_record(actor=SYSTEM, record=session, reason="录错")
    assert "关于集体合同的决议" in " ".join(refused.value.messages)
    assert session.__class__.objects.get(pk=session.pk).voided_at is None

    alone = session_with(congress, date=dt.date(2026, 4, 1))
    voiding.void_record(actor=SYSTEM, record=alone, reason="重复")
    with pytest.raises(ValidationError):  # no motion on a voided session
        record_motion(actor=SYSTEM, session=alone, title="决议", votes_for=3)


def test_a_term_with_a_consultation_in_it_is_refused_until_that_is_voided(tree):
    org = tree.a1
    term = record_term(actor=SYSTEM, org=org, start=dt.date(2024, 1, 1), end=dt.date(2028, 12, 31),
                       chair="张主席")
    consultation = record_consultation(
        actor=SYSTEM, org=org, year=2026, date=dt.date(2026, 3, 2), employer="某公司",
        union_representatives="张主席\n李四\n王五", employer_representatives="甲\n乙\n丙")
    with pytest.raises(ValidationError) as refused:
        voiding.void_record(actor=SYSTEM, record=term, reason="届期录错")
    assert "2026" in " ".join(refused.value.messages)

    voiding.void_record(actor=SYSTEM, record=consultation, reason="录错年份")
    voiding.void_record(actor=SYSTEM, record=term, reason="届期录错")
    # Out of the checks; the year and the dates can be recorded again.
    assert selectors.union_status(org, TODAY).checks["term"].status == "overdue"
    record_term(actor=SYSTEM, org=org, start=dt.date(2024, 1, 1), end=dt.date(2028, 12, 31),
                chair="张主席")
    record_consultation(
        actor=SYSTEM, org=org, year=2026, date=dt.date(2026, 3, 2), employer="某公司",
        union_representatives="张主席\n李四\n王五", employer_representatives="甲\n乙\n丙")
    assert Consultation.objects.filter(org=org, year=2026).count() == 2
    assert CommitteeTerm.objects.filter(org=org).count() == 2


def test_a_voided_advance_is_not_outstanding(tree):
    org = tree.a1
    day = dt.date(2026, 4, 3)
    advance = record_expense(actor=SYSTEM, org=org, kind=ExpenseKind.ADVANCE, date=day,
                             purpose="出差借款", amount=Decimal("800"), handler="王五")
    advance = sign_expense(actor=SYSTEM, expense=advance, as_role="handler", name="王五", on=day)
    advance = sign_expense(actor=SYSTEM, expense=advance, as_role="witness", name="赵六", on=day)
    advance = approve_expense(actor=SYSTEM, expense=advance, chair="张主席", on=day)
    advance = pay_expense(actor=SYSTEM, expense=advance, on=day, method="cash")
    assert selectors.union_status(org, TODAY).checks["advances"].status == "overdue"
    voiding.void_record(actor=SYSTEM, record=advance, reason="借款未实际发生")
    assert selectors.union_status(org, TODAY).checks["advances"].status == "kept"


def test_staff_within_the_window_admins_at_any_time(tree, settings):
    settings.UNIONPORTAL_GOVERNANCE_VOID_DAYS = 3
    staff, admin = user_with_role(tree, "staff"), user_with_role(tree, "admin")
    first, second = _meeting(tree.a1), _meeting(tree.a1, dt.date(2026, 5, 5))
    later = timezone.now() + dt.timedelta(days=4)
    assert voiding.may_void(staff, first) and not voiding.may_void(staff, first, now=later)
    with pytest.raises(PermissionDenied):
        voiding.void_record(actor=staff, record=first, reason="录错", now=later)
    voiding.void_record(actor=admin, record=first, reason="录错", now=later + dt.timedelta(days=400))
    voiding.void_record(actor=staff, record=second, reason="录错")
    # A staff member of another union, or a reviewer, never.
    reviewer = user_with_role(tree, "reviewer")
    assert not voiding.may_void(reviewer, _meeting(tree.a1))


def test_the_void_page_404_outside_403_not_permitted(tree):
    meeting_b1 = _meeting(tree.b1)
    meeting_a1 = _meeting(tree.a1)
    staff = client_for(user_with_role(tree, "staff"))
    assert staff.get(_void_url(tree.b1, "meeting", meeting_b1.pk)).status_code == 404
    assert staff.get(_void_url(tree.a1, "meeting", meeting_b1.pk)).status_code == 404  # not a1's
    assert staff.get(_void_url(tree.a1, "minutes", meeting_a1.pk)).status_code == 404
    reviewer = client_for(user_with_role(tree, "reviewer"))
    response = reviewer.post(_void_url(tree.a1, "meeting", meeting_a1.pk), {"reason": "录错"})
    assert response.status_code == 403
    Meeting.objects.filter(pk=meeting_a1.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert staff.post(_void_url(tree.a1, "meeting", meeting_a1.pk), {"reason": "录错"}).status_code == 403
    assert Meeting.objects.get(pk=meeting_a1.pk).voided_at is None


def test_voiding_from_the_record_page_and_the_struck_through_listing(tree):
    user = user_with_role(tree, "staff")
    client = client_for(user)
    meeting = _meeting(tree.a1, actor=user)
    edit = client.get(reverse("orgs:governance-meeting-edit", kwargs={"code": "kit-a-1", "pk": meeting.pk}))
    html = edit.content.decode()
    assert 'class="stack-form void-form"' in html and _void_url(tree.a1, "meeting", meeting.pk) in html

    blank = client.post(_void_url(tree.a1, "meeting", meeting.pk), {"reason": "  "})
    assert blank.status_code == 200 and Meeting.objects.get(pk=meeting.pk).voided_at is None
    too_long = client.post(_void_url(tree.a1, "meeting", meeting.pk), {"reason": "长" * 501})
    assert too_long.status_code == 200 and Meeting.objects.get(pk=meeting.pk).voided_at is None

    done = client.post(_void_url(tree.a1, "meeting", meeting.pk), {"reason": "误录的会议"})
    assert done.status_code == 302
    page = client.get(reverse("orgs:governance", kwargs={"code": "kit-a-1"})).content.decode()
    assert 'class="voided"' in page and "误录的会议" in page and user.username in page
    assert 'style="' not in page.split('id="meetings"')[1].split("</section>")[0]  # CSP: classes only


def test_the_void_form_needs_the_csrf_token(tree):
    user = user_with_role(tree, "staff")
    meeting = _meeting(tree.a1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(_void_url(tree.a1, "meeting", meeting.pk), {"reason": "录错"}).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).voided_at is None


def test_the_dependents_are_listed_on_the_void_page(tree):
    admin = client_for(user_with_role(tree, "admin"))
    congress = congress_with(tree.a1, 5, start=dt.date(2025, 1, 10))
    session = session_with(congress, date=dt.date(2026, 3, 18))
    record_motion(actor=SYSTEM, session=session, title="关于福利的决议", votes_for=3)
    html = admin.get(_void_url(tree.a1, "session", session.pk)).content.decode()
    assert "关于福利的决议" in html and "void-form" not in html
    refused = admin.post(_void_url(tree.a1, "session", session.pk), {"reason": "录错"})
    assert refused.status_code == 200 and "关于福利的决议" in refused.content.decode()


def test_the_minutes_sheet_of_a_voided_meeting_says_so(tree):
    client = client_for(user_with_role(tree, "admin"))
    meeting = _meeting(tree.a1)
    voiding.void_record(actor=SYSTEM, record=meeting, reason="日期录错")
    response = client.get(reverse("orgs:governance-meeting-pdf", kwargs={"code": "kit-a-1", "pk": meeting.pk}))
    assert "日期录错" in pdf_text(response.content)
