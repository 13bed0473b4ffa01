"""The governance records' form pages: one view class, and per record kind its form, its
service call and (where it shows more than the form) its template.

Every page finds the org through the scoping gate (404 outside what the user sees), needs
Action.RECORD on it (403), and finds the record inside that org (404 otherwise).  A POST runs
one service call through the concurrency kit's ``run_on_form``: what the service refuses (a
broken rule, a stale version) lands on the form, and the page is shown again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from orgs.access import Action, get_visible_org_or_404, require
from orgs.governance import forms as gforms
from orgs.governance import quorum
from orgs.governance.models import (
    CommitteeKind,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressSession,
    Consultation,
    Delegate,
    Expense,
    Meeting,
    SpecialCommittee,
)
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
from unionportal.concurrency import run_on_form


def page_url(org, anchor=""):
    """The org's governance page, at the section of ``anchor``."""
    return reverse("orgs:governance", kwargs={"code": org.code}) + (f"#{anchor}" if anchor else "")


@method_decorator(login_required, name="dispatch")
class RecordFormView(View):
    """GET shows the form; POST validates it, runs ``save`` and goes back to the page.

    A kind sets ``form_class``, ``title``, ``anchor``, ``success_message`` and ``save``; with
    ``model`` the URL's ``pk`` names a record of the org (reached through the model's ``org_path``), which
    ``editing`` says is the record the form changes (its page offers the void form)."""

    http_method_names = ["get", "post"]
    template_name = "orgs/governance/form.html"
    form_class = None
    model = None
    editing = False
    title = ""
    anchor = ""
    intro = ""
    multipart = False
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.org = get_visible_org_or_404(request.user, kwargs["code"])
        require(request.user, Action.RECORD, self.org)
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        pk = self.kwargs.get("pk")
        if self.model is None or pk is None:
            return None
        return get_object_or_404(self.model, pk=pk, **{self.model.org_path: self.org})

    # What a kind fills in ------------------------------------------------------------------

    def form_kwargs(self) -> dict:
        return {}

    def save(self, form):
        raise NotImplementedError

    def get_title(self) -> str:
        return str(self.title)

    def get_intro(self) -> str:
        return str(self.intro)

    def get_anchor(self) -> str:
        return self.anchor

    def extra_context(self) -> dict:
        return {}

    def success_text(self, saved) -> str:
        return str(self.success_message)

    def success_url(self, saved) -> str:
        return page_url(self.org, self.get_anchor())

    # The flow -------------------------------------------------------------------------------

    def get_form(self):
        data = self.request.POST or None
        if self.multipart:
            return self.form_class(data, self.request.FILES or None, **self.form_kwargs())
        return self.form_class(data, **self.form_kwargs())

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            outcome = run_on_form(form, lambda: self.save(form))
            if outcome.ok and outcome.value:
                messages.success(request, self.success_text(outcome.value))
                return redirect(self.success_url(outcome.value))
        return self.render_form(form)

    def render_form(self, form):
        record = self.object if self.editing else None
        return render(self.request, self.template_name, {
            "org": self.org, "form": form, "title": self.get_title(), "intro": self.get_intro(),
            "multipart": self.multipart, "back": page_url(self.org, self.get_anchor()), "record": record,
            **void_context(self.request.user, record), **self.extra_context(),
        })


def _loaded_version(form):
    return form.cleaned_data.get("loaded_version")


# Meetings -------------------------------------------------------------------------------------

class MeetingView(RecordFormView):
    model, editing, form_class = Meeting, True, gforms.MeetingForm
    template_name = "orgs/governance/forms/attendance.html"
    anchor, multipart, success_message = "meetings", True, gettext_lazy("Meeting saved.")

    def form_kwargs(self):
        return {"instance": self.object}

    def get_title(self):
        return _("Edit meeting") if self.object else _("Record a meeting")

    def save(self, form):
        upload = form.cleaned_data.get("minutes_file")
        if self.object is None:
            return record_meeting(actor=self.request.user, org=self.org, minutes=upload, **form.changes())
        return update_meeting(actor=self.request.user, meeting=self.object, minutes=upload,
                              expected_version=_loaded_version(form), **form.changes())

    def extra_context(self):
        return {"flag": quorum.meeting_flag(self.object) if self.object else ""}


# Congresses, delegates, sessions, motions, special committees ---------------------------------

class CongressNewView(RecordFormView):
    form_class, anchor = gforms.CongressForm, "congress"
    title, success_message = gettext_lazy("Set up a congress"), gettext_lazy("Congress recorded.")

    def form_kwargs(self):
        return {"org": self.org}

    def save(self, form):
        return create_congress(actor=self.request.user, org=self.org, **form.cleaned_data)


class DelegatesElectView(RecordFormView):
    model, form_class, anchor = Congress, gforms.ElectionForm, "congress"
    title, success_message = gettext_lazy("Election of delegates"), gettext_lazy("Delegates recorded.")
    intro = gettext_lazy("Delegates serve two years from the start of their term (第十一条).")

    def save(self, form):
        data = form.cleaned_data
        return elect_delegates(actor=self.request.user, congress=self.object, delegates=data["delegates"],
                               start=data["start"], end=data.get("end"))


class ByElectionView(RecordFormView):
    model, form_class, anchor = Congress, gforms.ByElectionForm, "congress"
    title, success_message = gettext_lazy("By-election"), gettext_lazy("Delegate recorded.")

    def form_kwargs(self):
        return {"congress": self.object}

    def save(self, form):
        data = form.cleaned_data
        return by_elect_delegate(actor=self.request.user, congress=self.object, name=data["name"],
                                 unit=data["unit"], start=data["start"], replaces=data["replaces"])


class DelegateEndView(RecordFormView):
    model, form_class, anchor = Delegate, gforms.EndMandateForm, "congress"
    success_message = gettext_lazy("Mandate ended.")

    def form_kwargs(self):
        return {"initial": {"loaded_version": self.object.version}}

    def get_title(self):
        return _("End of mandate: %(name)s") % {"name": self.object.name}

    def save(self, form):
        data = form.cleaned_data
        return end_mandate(actor=self.request.user, delegate=self.object, ended_on=data["ended_on"],
                           reason=data["reason"], expected_version=data["loaded_version"])


class SessionNewView(RecordFormView):
    model, form_class, anchor = Congress, gforms.SessionForm, "congress"
    title = gettext_lazy("Record a congress session")
    success_message = gettext_lazy("Session recorded. Now record its motions.")
    intro = gettext_lazy("Non-voting (列席) and invited (特邀) attendees together may be at most one "
                         "fifth of the delegates serving (第十三条).")

    def form_kwargs(self):
        return {"congress": self.object}

    def save(self, form):
        data = form.cleaned_data
        return record_session(actor=self.request.user, congress=self.object, title=data["title"],
                              date=data["date"], agenda=data["agenda"], present=list(data["present"]),
                              non_voting=gforms.names(data["non_voting"]), invited=gforms.names(data["invited"]))

    def success_url(self, saved):
        return reverse("orgs:governance-motion-new", kwargs={"code": self.org.code, "pk": saved.pk})


class MotionNewView(RecordFormView):
    model, form_class = CongressSession, gforms.MotionForm
    template_name = "orgs/governance/forms/attendance.html"
    title = gettext_lazy("Record a motion")

    def get_anchor(self):
        return f"session-{self.object.pk}"

    def get_intro(self):
        session = self.object
        present = session.attendees.filter(kind="delegate").count()
        return (_("%(title)s, %(date)s: %(total)d delegates serving, %(present)d present. "
                  "A resolution passes with more than %(half)s votes for.")
                % {"title": session.title, "date": session.date.isoformat(), "total": session.delegates_total,
                   "present": present, "half": f"{session.delegates_total / 2:g}"})

    def extra_context(self):
        return {"flag": quorum.session_flag(self.object)}

    def save(self, form):
        data = form.cleaned_data
        return record_motion(actor=self.request.user, session=self.object, title=data["title"], text=data["text"],
                             proposed_by=data["proposed_by"], votes_for=data["votes_for"],
                             votes_against=data["votes_against"], abstentions=data["abstentions"],
                             declared=data["declared"] or None)

    def success_text(self, saved):
        return (_("Motion %(number)d recorded: %(outcome)s.")
                % {"number": saved.number, "outcome": saved.get_outcome_display()})


class CommitteeView(RecordFormView):
    model, form_class, anchor = Congress, gforms.CommitteeForm, "committees"
    success_message = gettext_lazy("Committee saved.")

    def get_object(self):
        congress = super().get_object()
        if self.kwargs["kind"] not in CommitteeKind.values:
            raise Http404
        self.committee = SpecialCommittee.objects.filter(congress=congress, kind=self.kwargs["kind"]).first()
        return congress

    def form_kwargs(self):
        if self.committee is None:
            return {"initial": {}}
        members = list(self.committee.members.all())
        return {"initial": {
            "chair": next((m.name for m in members if m.role == CommitteeRole.CHAIR), ""),
            "vice_chair": next((m.name for m in members if m.role == CommitteeRole.VICE_CHAIR), ""),
            "members": "\n".join(m.name for m in members if m.role == CommitteeRole.MEMBER),
            "non_delegates": "\n".join(m.name for m in members if m.non_delegate),
            "loaded_version": self.committee.version,
        }}

    def get_title(self):
        return CommitteeKind(self.kwargs["kind"]).label

    def save(self, form):
        return set_committee(actor=self.request.user, congress=self.object, kind=self.kwargs["kind"],
                             members=form.member_list(), non_delegates=form.non_delegate_names(),
                             expected_version=_loaded_version(form))


# Consultation, committee terms ----------------------------------------------------------------

class ConsultationView(RecordFormView):
    model, editing, form_class, anchor = Consultation, True, gforms.ConsultationForm, "consultation"
    title, success_message = gettext_lazy("Collective consultation"), gettext_lazy("Consultation saved.")
    intro = gettext_lazy("3 to 5 representatives a side, one a line, the chief representative "
                         "first; the union's chief representative is its chair.")

    def form_kwargs(self):
        return {"instance": self.object, "org": self.org}

    def save(self, form):
        if self.object is None:
            return record_consultation(actor=self.request.user, org=self.org, **form.changes())
        return update_consultation(actor=self.request.user, consultation=self.object,
                                   expected_version=_loaded_version(form), **form.changes())


class TermView(RecordFormView):
    model, editing, form_class, anchor = CommitteeTerm, True, gforms.TermForm, "terms"
    title, success_message = gettext_lazy("Committee term (election)"), gettext_lazy("Committee term saved.")

    def form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        if self.object is None:
            return record_term(actor=self.request.user, org=self.org, **form.changes())
        return update_term(actor=self.request.user, term=self.object, expected_version=_loaded_version(form),
                           **form.changes())


# Expenses (一支笔) and their limits ------------------------------------------------------------

class ExpenseNewView(RecordFormView):
    form_class, anchor = gforms.ExpenseForm, "expenses"
    title = gettext_lazy("Record an expense or cash advance")
    success_message = gettext_lazy("Expense recorded.")

    def save(self, form):
        return record_expense(actor=self.request.user, org=self.org, **form.cleaned_data)


class ExpenseStepView(RecordFormView):
    model, editing, form_class, anchor = Expense, True, gforms.ExpenseStepForm, "expenses"
    template_name = "orgs/governance/forms/expense_step.html"
    success_message = gettext_lazy("Expense updated.")
    intro = gettext_lazy("一支笔: the handler and a witness sign, the chair approves, and only "
                         "then is it paid; a cash advance is settled within the month.")

    def form_kwargs(self):
        return {"initial": {"loaded_version": self.object.version}}

    def get_title(self):
        return str(self.object)

    def extra_context(self):
        return {"expense": self.object}

    def save(self, form):
        data = form.cleaned_data
        common = {"actor": self.request.user, "expense": self.object, "expected_version": data["loaded_version"]}
        steps = {
            "handler": lambda: sign_expense(as_role="handler", name=data["name"], on=data["on"], **common),
            "witness": lambda: sign_expense(as_role="witness", name=data["name"], on=data["on"], **common),
            "approve": lambda: approve_expense(chair=data["name"], on=data["on"], **common),
            "pay": lambda: pay_expense(on=data["on"], method=data["method"], **common),
            "settle": lambda: settle_advance(on=data["on"], **common),
        }
        return steps[data["step"]]()


class LimitsView(RecordFormView):
    form_class, anchor = gforms.LimitsForm, "expenses"
    title, success_message = gettext_lazy("Expense limits"), gettext_lazy("Limits saved.")

    def get_object(self):
        return limits_for(self.org)

    def get_form(self):
        form = super().get_form()
        if not self.object.pk and not form.is_bound:
            form.fields["loaded_version"].initial = self.object.version
        return form

    def form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return set_expense_limits(actor=self.request.user, org=self.org, expected_version=_loaded_version(form),
                                  **form.changes())
