"""Governance pages: thin views over the selectors and one service call per write.

Every view finds the org through the scoping gate (404 outside what the user sees) and the
record inside that org (404 otherwise); a write needs Action.RECORD on the org (403).
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgs.governance import exports, pdf, quorum, rules, selectors, voiding
from orgs.governance import forms as gforms
from orgs.governance.rules import RULES, RULES_BY_CODE, STATUS_LABELS, Status
from orgs.governance.services.committees import record_term, set_committee, update_term
from orgs.governance.services.congresses import (
    by_elect_delegate,
    create_congress,
    elect_delegates,
    end_mandate,
    record_motion,
    record_session,
)
from orgs.governance.services.consultations import record_consultation, update_consultation
from orgs.governance.services.expenses import (
    approve_expense,
    limits_for,
    pay_expense,
    record_expense,
    set_expense_limits,
    settle_advance,
    sign_expense,
)
from orgs.governance.services.meetings import record_meeting, update_meeting
from orgs.governance.void_views import void_context
from orgs.models import (
    CommitteeKind,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressSession,
    Consultation,
    Delegate,
    Expense,
    Meeting,
    Motion,
    OrgKind,
    SpecialCommittee,
)
from unionportal.pdf import pdf_response
from unionportal.scoping import Action, can, get_visible_org_or_404, require
from unionportal.tabular import table_response
from unionportal.uploads import content_type_of


def _page_url(org, anchor=""):
    return reverse("orgs:governance", kwargs={"code": org.code}) + (f"#{anchor}" if anchor else "")


def _recording_org(request, code):
    org = get_visible_org_or_404(request.user, code)
    require(request.user, Action.RECORD, org)
    return org


def _form_page(request, org, form, title, *, anchor="", intro="", multipart=False, extra=None,
               record=None):
    """``record``: the record being edited; its page offers the void form (作废) to who may."""
    return render(request, "orgs/governance/form.html", {
        "org": org, "form": form, "title": title, "intro": intro, "multipart": multipart,
        "back": _page_url(org, anchor), "record": record, **void_context(request.user, record),
        **(extra or {}),
    })


def _apply(request, form, call):
    """Run a service; its ValidationError (a broken rule, a conflict) lands on the form."""
    try:
        return call()
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None


# Pages ---------------------------------------------------------------------------------------

@login_required
def governance_page(request, code):
    org = get_visible_org_or_404(request.user, code)
    today = timezone.localdate()
    status = selectors.union_status(org, today)
    records = selectors.union_records(org)
    return render(request, "orgs/governance/page.html", {
        "org": org,
        "today": today,
        "checks": [(rule, status.checks[rule.code]) for rule in RULES],
        "records": records,
        "missed": selectors.missed_meetings(status),
        "may_record": can(request.user, Action.RECORD, org),
        "committee_kinds": CommitteeKind.choices,
        "limits": limits_for(org),
        "is_enterprise": rules.must_consult(org.kind, org.is_enterprise),
        "committee_not_serving": selectors.committee_flags(org, today),
        # The void links: an admin of the subtree at any time, the union's staff within the window.
        "may_void_any": can(request.user, Action.VOID, org),
        "void_since": timezone.now() - dt.timedelta(days=voiding.void_days()),
    })


def _filters(request):
    rule = request.GET.get("rule", "")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    return {
        "rule": rule if rule in RULES_BY_CODE else "",
        "status": status if status in (Status.KEPT, Status.DUE_SOON, Status.OVERDUE) else "",
        "kind": kind if kind in OrgKind.values else "",
        "term": request.GET.get("q", "").strip()[:50],
    }


@login_required
def dashboard(request, code):
    org = get_visible_org_or_404(request.user, code)
    today = timezone.localdate()
    filters = _filters(request)
    board = selectors.dashboard(org, request.user, today, **filters)
    page = Paginator(board.rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "orgs/governance/dashboard.html", {
        "org": org, "today": today, "board": board, "page": page, "filters": filters,
        "rules": RULES, "statuses": [(s, STATUS_LABELS[s]) for s in (Status.KEPT, Status.DUE_SOON, Status.OVERDUE)],
        "kinds": OrgKind.choices, "query": query.urlencode(),
        "contractless": selectors.contractless_enterprises(board.rows) if not filters["rule"] else None,
    })


@login_required
def overdue_export(request, code, fmt):
    """The overdue list of the subtree (filters as on the dashboard) as xlsx or csv."""
    org = get_visible_org_or_404(request.user, code)
    filters = _filters(request)
    rows = selectors.subtree_rows(org, request.user, timezone.localdate(), kind=filters["kind"],
                                  term=filters["term"])
    statuses = (Status(filters["status"]),) if filters["status"] else (Status.OVERDUE,)
    response = table_response(fmt, f"{org.code}-governance-overdue.{fmt}")
    exports.write_overdue(response, fmt, selectors.overdue_lines(rows, rule=filters["rule"],
                                                                 statuses=statuses))
    return response


@login_required
def minutes_file(request, code, pk):
    org = get_visible_org_or_404(request.user, code)
    meeting = get_object_or_404(Meeting, pk=pk, org=org)
    if not meeting.minutes:
        raise Http404
    try:
        handle = meeting.minutes.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = meeting.minutes_name or meeting.minutes.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, content_type=content_type_of(meeting.minutes.name),
                            as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_pdf(request, code, pk):
    org = get_visible_org_or_404(request.user, code)
    meeting = get_object_or_404(Meeting, pk=pk, org=org)
    return pdf_response(pdf.render_minutes_pdf(meeting),
                        f"{org.name}{meeting.get_kind_display()}{meeting.date:%Y%m%d}.pdf")


@login_required
def motion_pdf(request, code, pk):
    org = get_visible_org_or_404(request.user, code)
    motion = get_object_or_404(Motion.objects.select_related("session__congress"), pk=pk,
                               session__congress__org=org)
    return pdf_response(pdf.render_resolution_pdf(motion),
                        f"{org.name}决议{motion.session.date:%Y%m%d}-{motion.number}.pdf")


# Recording -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, code, pk=None):
    org = _recording_org(request, code)
    meeting = get_object_or_404(Meeting, pk=pk, org=org) if pk else None
    form = gforms.MeetingForm(request.POST or None, request.FILES or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("minutes_file")
        if meeting is None:
            saved = _apply(request, form, lambda: record_meeting(
                actor=request.user, org=org, minutes=upload, **form.changes()))
        else:
            saved = _apply(request, form, lambda: update_meeting(
                actor=request.user, meeting=meeting, minutes=upload,
                expected_version=form.cleaned_data.get("loaded_version"), **form.changes()))
        if saved:
            messages.success(request, _("Meeting saved."))
            return redirect(_page_url(org, "meetings"))
    title = _("Edit meeting") if meeting else _("Record a meeting")
    return _form_page(request, org, form, title, anchor="meetings", multipart=True, record=meeting,
                      extra={"flag": quorum.meeting_flag(meeting) if meeting else ""})


@login_required
@require_http_methods(["GET", "POST"])
def congress_new(request, code):
    org = _recording_org(request, code)
    form = gforms.CongressForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        saved = _apply(request, form, lambda: create_congress(actor=request.user, org=org,
                                                          **form.cleaned_data))
        if saved:
            messages.success(request, _("Congress recorded."))
            return redirect(_page_url(org, "congress"))
    return _form_page(request, org, form, _("Set up a congress"), anchor="congress")


def _congress(org, pk):
    return get_object_or_404(Congress, pk=pk, org=org)


@login_required
@require_http_methods(["GET", "POST"])
def delegates_elect(request, code, pk):
    org = _recording_org(request, code)
    congress = _congress(org, pk)
    form = gforms.ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _apply(request, form, lambda: elect_delegates(
                actor=request.user, congress=congress, delegates=form.cleaned_data["delegates"],
                start=form.cleaned_data["start"], end=form.cleaned_data.get("end")))
        if saved:
            messages.success(request, _("Delegates recorded."))
            return redirect(_page_url(org, "congress"))
    return _form_page(request, org, form, _("Election of delegates"), anchor="congress",
                      intro=_("Delegates serve two years from the start of their term (第十一条)."))


@login_required
@require_http_methods(["GET", "POST"])
def delegate_by_election(request, code, pk):
    org = _recording_org(request, code)
    congress = _congress(org, pk)
    form = gforms.ByElectionForm(request.POST or None, congress=congress)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _apply(request, form, lambda: by_elect_delegate(
                actor=request.user, congress=congress, name=data["name"], unit=data["unit"],
                start=data["start"], replaces=data["replaces"]))
        if saved:
            messages.success(request, _("Delegate recorded."))
            return redirect(_page_url(org, "congress"))
    return _form_page(request, org, form, _("By-election"), anchor="congress")


@login_required
@require_http_methods(["GET", "POST"])
def delegate_end(request, code, pk):
    org = _recording_org(request, code)
    delegate = get_object_or_404(Delegate, pk=pk, congress__org=org)
    form = gforms.EndMandateForm(request.POST or None, initial={"loaded_version": delegate.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _apply(request, form, lambda: end_mandate(
                actor=request.user, delegate=delegate, ended_on=data["ended_on"], reason=data["reason"],
                expected_version=data["loaded_version"]))
        if saved:
            messages.success(request, _("Mandate ended."))
            return redirect(_page_url(org, "congress"))
    return _form_page(request, org, form, _("End of mandate: %(name)s") % {"name": delegate.name},
                      anchor="congress")


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, code, pk):
    org = _recording_org(request, code)
    congress = _congress(org, pk)
    form = gforms.SessionForm(request.POST or None, congress=congress)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = _apply(request, form, lambda: record_session(
            actor=request.user, congress=congress, title=data["title"], date=data["date"],
            agenda=data["agenda"], present=list(data["present"]),
            non_voting=gforms.names(data["non_voting"]), invited=gforms.names(data["invited"])))
        if session:
            messages.success(request, _("Session recorded. Now record its motions."))
            return redirect("orgs:governance-motion-new", code=org.code, pk=session.pk)
    return _form_page(request, org, form, _("Record a congress session"), anchor="congress",
                      intro=_("Non-voting (列席) and invited (特邀) attendees together may be at most one "
                              "fifth of the delegates serving (第十三条)."))


@login_required
@require_http_methods(["GET", "POST"])
def motion_new(request, code, pk):
    org = _recording_org(request, code)
    session = get_object_or_404(CongressSession, pk=pk, congress__org=org)
    form = gforms.MotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        motion = _apply(request, form, lambda: record_motion(
            actor=request.user, session=session, title=data["title"], text=data["text"],
            proposed_by=data["proposed_by"], votes_for=data["votes_for"],
            votes_against=data["votes_against"], abstentions=data["abstentions"],
            declared=data["declared"] or None))
        if motion:
            messages.success(request, _("Motion %(number)d recorded: %(outcome)s.")
                             % {"number": motion.number, "outcome": motion.get_outcome_display()})
            return redirect(_page_url(org, f"session-{session.pk}"))
    present = session.attendees.filter(kind="delegate").count()
    return _form_page(request, org, form, _("Record a motion"), anchor=f"session-{session.pk}",
                      intro=_("%(title)s, %(date)s: %(total)d delegates serving, %(present)d present. "
                              "A resolution passes with more than %(half)s votes for.")
                      % {"title": session.title, "date": session.date.isoformat(),
                         "total": session.delegates_total, "present": present,
                         "half": f"{session.delegates_total / 2:g}"},
                      extra={"flag": quorum.session_flag(session)})


@login_required
@require_http_methods(["GET", "POST"])
def committee_set(request, code, pk, kind):
    org = _recording_org(request, code)
    congress = _congress(org, pk)
    if kind not in CommitteeKind.values:
        raise Http404
    committee = SpecialCommittee.objects.filter(congress=congress, kind=kind).first()
    initial = {}
    if committee:
        members = list(committee.members.all())
        initial = {
            "chair": next((m.name for m in members if m.role == CommitteeRole.CHAIR), ""),
            "vice_chair": next((m.name for m in members if m.role == CommitteeRole.VICE_CHAIR), ""),
            "members": "\n".join(m.name for m in members if m.role == CommitteeRole.MEMBER),
            "non_delegates": "\n".join(m.name for m in members if m.non_delegate),
            "loaded_version": committee.version,
        }
    form = gforms.CommitteeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _apply(request, form, lambda: set_committee(
                actor=request.user, congress=congress, kind=kind, members=form.member_list(),
                non_delegates=form.non_delegate_names(),
                expected_version=form.cleaned_data.get("loaded_version")))
        if saved:
            messages.success(request, _("Committee saved."))
            return redirect(_page_url(org, "committees"))
    return _form_page(request, org, form, CommitteeKind(kind).label, anchor="committees")


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, code, pk=None):
    org = _recording_org(request, code)
    consultation = get_object_or_404(Consultation, pk=pk, org=org) if pk else None
    form = gforms.ConsultationForm(request.POST or None, instance=consultation, org=org)
    if request.method == "POST" and form.is_valid():
        if consultation is None:
            saved = _apply(request, form, lambda: record_consultation(
                actor=request.user, org=org, **form.changes()))
        else:
            saved = _apply(request, form, lambda: update_consultation(
                actor=request.user, consultation=consultation,
                expected_version=form.cleaned_data.get("loaded_version"), **form.changes()))
        if saved:
            messages.success(request, _("Consultation saved."))
            return redirect(_page_url(org, "consultation"))
    return _form_page(request, org, form, _("Collective consultation"), anchor="consultation",
                      record=consultation,
                      intro=_("3 to 5 representatives a side, one a line, the chief representative "
                              "first; the union's chief representative is its chair."))


@login_required
@require_http_methods(["GET", "POST"])
def term_edit(request, code, pk=None):
    org = _recording_org(request, code)
    term = get_object_or_404(CommitteeTerm, pk=pk, org=org) if pk else None
    form = gforms.TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        if term is None:
            saved = _apply(request, form, lambda: record_term(
                actor=request.user, org=org, **form.changes()))
        else:
            saved = _apply(request, form, lambda: update_term(
                actor=request.user, term=term, expected_version=form.cleaned_data.get("loaded_version"),
                **form.changes()))
        if saved:
            messages.success(request, _("Committee term saved."))
            return redirect(_page_url(org, "terms"))
    return _form_page(request, org, form, _("Committee term (election)"), anchor="terms", record=term)


@login_required
@require_http_methods(["GET", "POST"])
def expense_new(request, code):
    org = _recording_org(request, code)
    form = gforms.ExpenseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _apply(request, form, lambda: record_expense(actor=request.user, org=org,
                                                         **form.cleaned_data))
        if saved:
            messages.success(request, _("Expense recorded."))
            return redirect(_page_url(org, "expenses"))
    return _form_page(request, org, form, _("Record an expense or cash advance"), anchor="expenses")


@login_required
@require_http_methods(["GET", "POST"])
def expense_step(request, code, pk):
    org = _recording_org(request, code)
    expense = get_object_or_404(Expense, pk=pk, org=org)
    form = gforms.ExpenseStepForm(request.POST or None, initial={"loaded_version": expense.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {"actor": request.user, "expense": expense, "expected_version": data["loaded_version"]}
        step = data["step"]
        calls = {
            "handler": lambda: sign_expense(as_role="handler", name=data["name"], on=data["on"], **common),
            "witness": lambda: sign_expense(as_role="witness", name=data["name"], on=data["on"], **common),
            "approve": lambda: approve_expense(chair=data["name"], on=data["on"], **common),
            "pay": lambda: pay_expense(on=data["on"], method=data["method"], **common),
            "settle": lambda: settle_advance(on=data["on"], **common),
        }
        saved = _apply(request, form, calls[step])
        if saved:
            messages.success(request, _("Expense updated."))
            return redirect(_page_url(org, "expenses"))
    return _form_page(request, org, form, str(expense), anchor="expenses", extra={"expense": expense},
                      record=expense,
                      intro=_("一支笔: the handler and a witness sign, the chair approves, and only "
                              "then is it paid; a cash advance is settled within the month."))


@login_required
@require_http_methods(["GET", "POST"])
def limits_edit(request, code):
    org = _recording_org(request, code)
    limits = limits_for(org)
    form = gforms.LimitsForm(request.POST or None, instance=limits)
    if not limits.pk and not form.is_bound:
        form.fields["loaded_version"].initial = limits.version
    if request.method == "POST" and form.is_valid():
        saved = _apply(request, form, lambda: set_expense_limits(
                actor=request.user, org=org, expected_version=form.cleaned_data.get("loaded_version"),
                **form.changes()))
        if saved:
            messages.success(request, _("Limits saved."))
            return redirect(_page_url(org, "expenses"))
    return _form_page(request, org, form, _("Expense limits"), anchor="expenses")
