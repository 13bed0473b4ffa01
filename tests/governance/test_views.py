"""Governance pages, forms, exports and PDFs: scoped like the rest (404 outside, 403 for a role
that may not record), the dashboard in a constant number of queries, PDFs and xlsx as printed."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orgs.governance.models import ExpenseLimits, Meeting, MeetingKind, Motion, MotionOutcome
from orgs.governance.services.committees import record_term
from orgs.governance.services.congresses import record_motion
from orgs.governance.services.meetings import record_meeting, update_meeting
from tests.factories import OrgFactory
from tests.governance.helpers import congress_with, session_with
from tests.kept_pdfs import pdfs_kept_in
from tests.kit import ROLES, assert_hidden, assert_visible, client_for, scope_tree, user_with_role
from tests.pdftext import pdf_text, spread_over_the_line
from unionportal.actors import SYSTEM
from unionportal.models import AuditEntry

pytestmark = pytest.mark.django_db


def _url(name, org, **kwargs):
    return reverse(f"orgs:{name}", kwargs={"code": org.code, **kwargs})


@pytest.fixture
def tree():
    return scope_tree()


def _records(org):
    """A meeting and a passed resolution for ``org``; returns their read URLs."""
    today = timezone.localdate()
    meeting = record_meeting(actor=SYSTEM, org=org, kind=MeetingKind.STANDING_COMMITTEE,
                             date=today, attendees="甲\n乙", agenda="议题一")
    congress = congress_with(org, 5, start=today - dt.timedelta(days=30))
    session = session_with(congress, date=today)
    motion = record_motion(actor=SYSTEM, session=session, title="关于集体合同的决议", votes_for=3)
    return [
        _url("governance", org), _url("governance-dashboard", org),
        _url("governance-overdue", org, fmt="xlsx"), _url("governance-overdue", org, fmt="csv"),
        _url("governance-meeting-pdf", org, pk=meeting.pk), _url("governance-motion-pdf", org, pk=motion.pk),
    ]


# Each role's test records the same meetings and motions, so their PDFs print the same HTML:
# the "pdf" cache is kept from one role to the next (``tests.kept_pdfs``).
_PDFS: dict = {}


@pytest.fixture
def pdfs_rendered_for_earlier_roles(_empty_caches):
    with pdfs_kept_in(_PDFS):
        yield


@pytest.mark.parametrize("role", ROLES)
def test_every_read_path_is_scoped(tree, pdfs_rendered_for_earlier_roles, role):
    client = client_for(user_with_role(tree, role))
    for org in tree.inside(role):
        for url in _records(org):
            assert_visible(client, url)
    for org in tree.outside(role):
        for url in _records(org):
            assert_hidden(client, url)


RECORD_FORMS = ("governance-meeting-new", "governance-congress-new", "governance-term-new",
                "governance-expense-new", "governance-limits", "governance-consultation-new")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record(tree, role):
    client = client_for(user_with_role(tree, role))
    for org in tree.inside(role):
        may = role == "admin" or (role == "staff" and org == tree.a1)
        for name in RECORD_FORMS:
            response = client.get(_url(name, org))
            assert response.status_code == (200 if may else 403), (role, org.code, name)
    for org in tree.outside(role):
        for name in RECORD_FORMS:
            assert_hidden(client, _url(name, org))


def test_a_record_of_another_union_is_not_found_through_this_one(tree):
    client = client_for(user_with_role(tree, "admin"))
    meeting = record_meeting(actor=SYSTEM, org=tree.a2, kind=MeetingKind.FULL_COMMITTEE,
                             date=dt.date(2026, 1, 5), attendees="甲", agenda="议题")
    assert_hidden(client, _url("governance-meeting-pdf", tree.a1, pk=meeting.pk))
    assert_hidden(client, _url("governance-meeting-edit", tree.a1, pk=meeting.pk))


def test_staff_records_a_session_and_a_resolution_through_the_forms(tree):
    client = client_for(user_with_role(tree, "staff"))
    org = tree.a1
    today = timezone.localdate()
    congress = congress_with(org, 10, start=today - dt.timedelta(days=10))
    delegates = list(congress.delegates.order_by("name").values_list("pk", flat=True))
    response = client.post(_url("governance-session-new", org, pk=congress.pk), {
        "title": "第一届第一次会议", "date": today.isoformat(), "present": delegates[:8],
        "non_voting": "列席甲\n列席乙", "invited": "",
    })
    session = congress.sessions.get()
    assert response.status_code == 302 and session.delegates_total == 10
    response = client.post(_url("governance-motion-new", org, pk=session.pk), {
        "title": "决议", "votes_for": 5, "votes_against": 3, "abstentions": 0, "declared": "passed"})
    assert response.status_code == 200  # 5 of 10 is exactly half: refused, shown on the form
    assert "未超过" in response.content.decode() or "not more than half" in response.content.decode()
    assert not Motion.objects.exists()
    response = client.post(_url("governance-motion-new", org, pk=session.pk), {
        "title": "决议", "votes_for": 6, "votes_against": 2, "abstentions": 0, "declared": "passed"})
    assert response.status_code == 302
    assert Motion.objects.get().outcome == MotionOutcome.PASSED


def test_too_many_non_voting_attendees_are_refused_on_the_form(tree):
    client = client_for(user_with_role(tree, "staff"))
    today = timezone.localdate()
    congress = congress_with(tree.a1, 10, start=today - dt.timedelta(days=10))
    response = client.post(_url("governance-session-new", tree.a1, pk=congress.pk), {
        "title": "会议", "date": today.isoformat(), "non_voting": "甲\n乙\n丙", "invited": ""})
    assert response.status_code == 200 and not congress.sessions.exists()


def test_stale_meeting_edit_is_refused(tree):
    client = client_for(user_with_role(tree, "staff"))
    meeting = record_meeting(actor=SYSTEM, org=tree.a1, kind=MeetingKind.FULL_COMMITTEE,
                             date=dt.date(2026, 1, 5), attendees="甲", agenda="议题")
    update_meeting(actor=SYSTEM, meeting=meeting, expected_version=1, decisions="别人的修改")
    response = client.post(_url("governance-meeting-edit", tree.a1, pk=meeting.pk), {
        "kind": "full", "date": "2026-01-05", "attendees": "甲", "agenda": "议题", "decisions": "我的修改",
        "loaded_version": 1})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.decisions == "别人的修改"


def test_minutes_are_checked_stored_privately_and_served_through_the_gate(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = client_for(user_with_role(tree, "staff"))
    data = {"kind": "standing", "date": "2026-04-02", "attendees": "甲\n乙", "agenda": "议题"}
    fake = SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = staff.post(_url("governance-meeting-new", tree.a1), {**data, "minutes_file": fake})
    assert response.status_code == 200 and not Meeting.objects.exists()
    exe = SimpleUploadedFile("纪要.exe", b"MZ", content_type="application/octet-stream")
    assert staff.post(_url("governance-meeting-new", tree.a1), {**data, "minutes_file": exe}).status_code == 200
    real = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%minutes\n", content_type="application/pdf")
    response = staff.post(_url("governance-meeting-new", tree.a1), {**data, "minutes_file": real})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (tmp_path / meeting.minutes.name).exists() and "纪要" not in meeting.minutes.name
    served = staff.get(_url("governance-minutes", tree.a1, pk=meeting.pk))
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    assert served["Content-Type"] == "application/pdf"
    outsider = client_for(user_with_role(tree, "staff", username="other-staff"))
    from orgs.models import Grant
    Grant.objects.filter(user__username="other-staff").update(org=tree.b1)
    assert_hidden(outsider, _url("governance-minutes", tree.a1, pk=meeting.pk))


def test_resolution_pdf_states_the_votes_against_all_delegates(tree):
    org = tree.a1
    congress = congress_with(org, 20, start=dt.date(2025, 1, 10))
    session = session_with(congress, date=dt.date(2026, 3, 18), present=18, non_voting=["列席甲"])
    motion = record_motion(actor=SYSTEM, session=session, title="关于集体合同草案的决议",
                           votes_for=10, votes_against=6, abstentions=2,
                           text="大会审议了集体合同草案。")
    client = client_for(user_with_role(tree, "clerk"))
    response = client.get(_url("governance-motion-pdf", org, pk=motion.pk))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("决议表决记录", "关于集体合同草案的决议", "代表总数", "20 人", "18 人", "未通过",
                     "全体职工代表过半数"):
        assert expected in text, expected
    assert spread_over_the_line(response.content, "大会主席团", "监票人")


def test_minutes_sheet_pdf(tree):
    meeting = record_meeting(
        actor=SYSTEM, org=tree.a1, kind=MeetingKind.STANDING_COMMITTEE, date=dt.date(2026, 4, 2),
        chaired_by="张主席", attendees="张主席\n李四\n王五", agenda="季度工作部署\n财务收支",
        decisions="通过季度工作安排")
    client = client_for(user_with_role(tree, "reviewer"))
    pdf = client.get(_url("governance-meeting-pdf", tree.a1, pk=meeting.pk)).content
    text = pdf_text(pdf)
    for expected in ("甲一基层工会", "常委会会议纪要", "2026-04-02", "张主席", "季度工作部署", "通过季度工作安排"):
        assert expected in text, expected
    assert spread_over_the_line(pdf, "记录人", "日期：")
    assert "第1页共1页" in text.replace(" ", "")


def test_overdue_export_lists_the_overdue_unions(tree):
    record_term(actor=SYSTEM, org=tree.a2, start=dt.date(2020, 1, 1), end=dt.date(2024, 12, 31),
                chair="张主席")
    client = client_for(user_with_role(tree, "reviewer"))
    response = client.get(_url("governance-overdue", tree.a, fmt="xlsx") + "?rule=term")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = [row[0] for row in rows[1:]]
    assert sorted(codes) == ["kit-a", "kit-a-1", "kit-a-2"]
    a2 = next(row for row in rows if row[0] == "kit-a-2")
    assert "2024-12-31" in a2[6]


def test_dashboard_filters_and_counts(tree):
    today = timezone.localdate()
    record_term(actor=SYSTEM, org=tree.a2, start=today - dt.timedelta(days=10),
                end=today + dt.timedelta(days=1000), chair="张主席")
    client = client_for(user_with_role(tree, "admin"))
    page = client.get(_url("governance-dashboard", tree.a) + "?rule=term&status=kept").content.decode()
    assert "甲二基层工会" in page and "甲一基层工会" not in page
    page = client.get(_url("governance-dashboard", tree.a) + "?kind=base").content.decode()
    assert "甲一基层工会" in page and 'data-org="kit-a"' not in page


def _subtree_with(count):
    root = OrgFactory(code=f"q{count}", name=f"查询{count}总工会", kind="federation")
    today = timezone.localdate()
    for index in range(count):
        union = OrgFactory(code=f"q{count}-{index}", name=f"查询工会{count}-{index}", parent=root)
        if index % 3 == 0:
            record_meeting(actor=SYSTEM, org=union, kind=MeetingKind.STANDING_COMMITTEE,
                           date=today, attendees="甲", agenda="议题")
            record_term(actor=SYSTEM, org=union, start=today - dt.timedelta(days=5),
                        end=today + dt.timedelta(days=900), chair="张")
    return root


def _dashboard_queries(client, root):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("governance-dashboard", root))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_subtree():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("gov-root", password="pw-for-tests-1")
    client = client_for(user)
    small, large = _subtree_with(10), _subtree_with(200)
    assert _dashboard_queries(client, small) == _dashboard_queries(client, large)


def test_governance_page_queries_are_fixed(tree):
    client = client_for(user_with_role(tree, "staff"))
    url = _url("governance", tree.a1)
    _records(tree.a1)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    _records(tree.a1)  # a second meeting, session and resolution
    members = congress_with(tree.a1, 3, kind="members")
    session_with(members, date=timezone.localdate())
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_skipped_quarter_is_flagged_on_the_page_the_dashboard_and_the_export(tree):
    """Issue 6: met two quarters ago and this quarter, skipped last quarter: still flagged."""
    from orgs.governance import rules

    today = timezone.localdate()
    last_quarter = rules.previous_period(today, rules.Period.QUARTER)
    before_that = rules.previous_period(last_quarter[0], rules.Period.QUARTER)
    for day in (before_that[0] + dt.timedelta(days=3), today):
        record_meeting(actor=SYSTEM, org=tree.a1, kind=MeetingKind.STANDING_COMMITTEE,
                       date=day, attendees="甲\n乙", agenda="季度工作")
    missed = rules.period_label(last_quarter[0], rules.Period.QUARTER)
    client = client_for(user_with_role(tree, "admin"))

    page = client.get(_url("governance", tree.a1)).content.decode()
    row = page[page.index('data-rule="standing"'):]
    row = row[:row.index("</tr>")]
    assert "status-overdue" in row and missed in row
    assert missed in page[page.index('id="meetings"'):]  # listed with the meetings too

    board = client.get(_url("governance-dashboard", tree.a) + "?rule=standing&status=overdue")
    assert 'data-org="kit-a-1"' in board.content.decode()
    board = client.get(_url("governance-dashboard", tree.a) + "?rule=standing&status=kept")
    assert 'data-org="kit-a-1"' not in board.content.decode()

    response = client.get(_url("governance-overdue", tree.a, fmt="xlsx") + "?rule=standing")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    a1 = next(row for row in rows if row[0] == "kit-a-1")
    assert missed in a1[6] and a1[7].date() == last_quarter[1]  # a date cell


def test_expense_limits_are_saved_from_the_page_audited_and_shown():
    tree = scope_tree()
    staff = user_with_role(tree, "staff")
    client = client_for(staff)
    form = client.get(_url("governance-limits", tree.a1))
    assert form.status_code == 200
    version = form.context["form"]["loaded_version"].value()
    data = {"cash_on_hand": "8000", "bank_transfer_from": "2000", "petty_item": "300",
            "petty_total": "1500", "loaded_version": version}
    response = client.post(_url("governance-limits", tree.a1), data)
    assert response.status_code == 302 and response["Location"].endswith("#expenses")
    limits = ExpenseLimits.objects.get(org=tree.a1)
    assert (limits.cash_on_hand, limits.bank_transfer_from, limits.petty_item, limits.petty_total) == (
        Decimal("8000"), Decimal("2000"), Decimal("300"), Decimal("1500"))
    entry = AuditEntry.objects.get(action="governance.limits.update", object_id=str(limits.pk))
    assert entry.actor == staff and entry.org == tree.a1
    assert entry.after["bank_transfer_from"] in ("2000", "2000.00", 2000)
    page = client.get(_url("governance", tree.a1)).content.decode()
    limits_html = page[page.index('class="facts limits"'):]
    assert "8000" in limits_html[:limits_html.index("</dl>")]

    # A second form loaded before that save is refused, and the values stay.
    stale = dict(data, cash_on_hand="1", loaded_version=version)
    response = client.post(_url("governance-limits", tree.a1), stale)
    assert response.status_code == 200
    assert "其他人已修改了它" in response.content.decode()
    assert ExpenseLimits.objects.get(org=tree.a1).cash_on_hand == Decimal("8000")
    # Another role inside the scope may not save them: 403.
    reviewer = client_for(user_with_role(tree, "reviewer"))
    assert reviewer.post(_url("governance-limits", tree.a1), data).status_code == 403


def test_the_kept_page_shows_each_new_record_and_each_user_the_links_of_their_grants(tree):
    """The page's body is kept between writes (views.governance_page): a meeting recorded after
    the page was seen is on the next page, and a reader who may not record never gets the
    recorder's links from the kept copy of another."""
    org = tree.a1
    staff = client_for(user_with_role(tree, "staff"))
    clerk = client_for(user_with_role(tree, "clerk"))
    url = _url("governance", org)
    new_meeting = _url("governance-meeting-new", org)
    assert "议题甲乙丙" not in staff.get(url).content.decode() and new_meeting in staff.get(url).content.decode()
    assert new_meeting not in clerk.get(url).content.decode()
    record_meeting(actor=SYSTEM, org=org, kind=MeetingKind.STANDING_COMMITTEE, date=timezone.localdate(),
                   attendees="甲\n乙", agenda="议题甲乙丙")
    for client, may_record in ((staff, True), (clerk, False)):
        page = client.get(url).content.decode()
        assert "议题甲乙丙" in page and (new_meeting in page) == may_record
