"""Forms for recording governance records; the services check the rules, the forms the input."""


from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.governance.models import (
    VOID_REASON_MAX_LENGTH,
    CommitteeRole,
    CommitteeTerm,
    Congress,
    CongressKind,
    Consultation,
    Delegate,
    ExpenseKind,
    ExpenseLimits,
    MandateEnd,
    Meeting,
    Motion,
    MotionOutcome,
    PaymentMethod,
)
from orgs.governance.services.meetings import MINUTES_TYPES
from unionportal import text_limits
from unionportal.uploads import check_upload

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def today():
    return timezone.localdate()


class VersionedForm(forms.ModelForm):
    """Carries the version the user loaded; the service refuses a save over a newer one."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.version
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


class MeetingForm(VersionedForm):
    class Meta:
        model = Meeting
        fields = ["kind", "date", "chaired_by", "attendees", "absentees", "members_total", "agenda",
                  "decisions"]
        widgets = {name: forms.Textarea(attrs={"rows": 4})
                   for name in ("attendees", "absentees", "agenda", "decisions")}

    minutes_file = forms.FileField(label=_("Minutes (PDF, PNG, JPEG or .docx, at most 10 MB)"),
                                   required=False)

    def clean_minutes_file(self):
        upload = self.cleaned_data.get("minutes_file")
        if upload:
            check_upload(upload, allowed=MINUTES_TYPES)
        return upload

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError(_("Record a meeting once it has taken place."))
        return date


class CongressForm(forms.ModelForm):
    class Meta:
        model = Congress
        fields = ["kind", "name"]

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(Congress.objects.filter(org=org).values_list("kind", flat=True)) if org else set()
        self.fields["kind"].choices = [(k, v) for k, v in CongressKind.choices if k not in taken]


def parse_lines(text: str) -> list[tuple[str, str]]:
    """``name`` or ``name，unit`` one a line (comma, Chinese comma or tab)."""
    result = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for separator in ("，", ",", "\t", "、"):
            if separator in line:
                name, unit = line.split(separator, 1)
                result.append((name.strip(), unit.strip()))
                break
        else:
            result.append((line, ""))
    return result


class ElectionForm(forms.Form):
    start = forms.DateField(label=_("term start"), widget=DATE, initial=today)
    end = forms.DateField(label=_("term end"), widget=DATE, required=False,
                          help_text=_("Two years from the start (第十一条); leave empty to have it computed."))
    delegates = forms.CharField(
        label=_("Delegates elected"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One a line: name, electoral unit. A delegate already serving is re-elected."),
    )

    def clean_delegates(self):
        rows = parse_lines(self.cleaned_data["delegates"])
        names = [name for name, _unit in rows]
        if len(set(names)) != len(names):
            raise forms.ValidationError(_("A name appears twice."))
        return rows


class ByElectionForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    unit = forms.CharField(label=_("electoral unit"), max_length=100, required=False)
    start = forms.DateField(label=_("term start"), widget=DATE, initial=today)
    replaces = forms.ModelChoiceField(label=_("replaces"), queryset=Delegate.objects.none(), required=False)

    def __init__(self, *args, congress=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = Delegate.objects.filter(congress=congress,
                                                                   ended_on__isnull=False)


class EndMandateForm(forms.Form):
    ended_on = forms.DateField(label=_("mandate ended on"), widget=DATE, initial=today)
    reason = forms.ChoiceField(label=_("end of mandate"),
                               choices=[c for c in MandateEnd.choices if c[0] != MandateEnd.RE_ELECTED])
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def names(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class SessionForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100,
                            help_text=_("For example: 第三届职工代表大会第二次会议"))
    date = forms.DateField(label=_("date"), widget=DATE, initial=today)
    agenda = forms.CharField(label=_("agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                             max_length=text_limits.RECORD_TEXT)
    present = forms.ModelMultipleChoiceField(
        label=_("Delegates present"), queryset=Delegate.objects.none(),
        widget=forms.CheckboxSelectMultiple, required=False)
    non_voting = forms.CharField(label=_("Non-voting attendees (列席)"), required=False, max_length=text_limits.NAME_LIST,
                                 widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One name a line."))
    invited = forms.CharField(label=_("Invited attendees (特邀)"), required=False, max_length=text_limits.NAME_LIST,
                              widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One name a line."))

    def __init__(self, *args, congress=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = Delegate.objects.filter(
            congress=congress, ended_on__isnull=True).order_by("name")
        self.fields["present"].label_from_instance = lambda d: f"{d.name}（{d.unit}）" if d.unit else d.name

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError(_("Record a session once it has taken place."))
        return date


class MotionForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    proposed_by = forms.CharField(label=_("proposed by"), max_length=100, required=False)
    text = forms.CharField(label=_("resolution text"), widget=forms.Textarea(attrs={"rows": 6}),
                           required=False, max_length=text_limits.RECORD_TEXT)
    votes_for = forms.IntegerField(label=_("votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("votes against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("abstentions"), min_value=0, initial=0)
    declared = forms.ChoiceField(
        label=_("Outcome announced at the session"), required=False,
        choices=[("", _("— let the portal compute it —")), *MotionOutcome.choices],
        help_text=_("The portal computes the outcome: passed only with more than half of all "
                    "delegates serving, not of those present."))


class CommitteeForm(forms.Form):
    chair = forms.CharField(label=_("director"), max_length=50)
    vice_chair = forms.CharField(label=_("deputy director"), max_length=50)
    members = forms.CharField(label=_("other members"), widget=forms.Textarea(attrs={"rows": 9}),
                              help_text=_("One name a line; 9 to 11 members in all, director and deputy director included."))
    non_delegates = forms.CharField(
        label=_("members who are not delegates"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("Those above whom the congress took on although they are not delegates (第二十条: "
                    "聘请非代表职工); one name a line. The delegate checks do not apply to them."))
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def non_delegate_names(self) -> list[str]:
        return names(self.cleaned_data.get("non_delegates", ""))

    def member_list(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return ([(data["chair"], CommitteeRole.CHAIR), (data["vice_chair"], CommitteeRole.VICE_CHAIR)]
                + [(name, CommitteeRole.MEMBER) for name in names(data["members"])])


class ConsultationForm(VersionedForm):
    class Meta:
        model = Consultation
        fields = ["year", "date", "employer", "union_representatives", "employer_representatives",
                  "pay", "hours", "leave", "safety", "insurance", "contract_signed_on",
                  "contract_valid_until", "approved_by"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in (
            "union_representatives", "employer_representatives", "pay", "hours", "leave",
            "safety", "insurance")}

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = Motion.objects.filter(
            session__congress__org=org, outcome=MotionOutcome.PASSED).select_related("session")
        self.fields["approved_by"].label_from_instance = (
            lambda m: f"{m.session.date:%Y-%m-%d} {m.session.title} · {m.number}. {m.title}")
        if not self.instance.pk and not self.is_bound:
            self.fields["year"].initial = today().year


class TermForm(VersionedForm):
    class Meta:
        model = CommitteeTerm
        fields = ["number", "start", "end", "chair", "vice_chairs", "members"]
        widgets = {"vice_chairs": forms.Textarea(attrs={"rows": 3}),
                   "members": forms.Textarea(attrs={"rows": 5})}


class ExpenseForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ExpenseKind.choices)
    date = forms.DateField(label=_("date"), widget=DATE, initial=today)
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=12, decimal_places=2, min_value=0.01)
    handler = forms.CharField(label=_("handler"), max_length=50)


class ExpenseStepForm(forms.Form):
    STEPS = (
        ("handler", _("Handler signs")),
        ("witness", _("Witness signs")),
        ("approve", _("Chair approves")),
        ("pay", _("Pay")),
        ("settle", _("Settle the advance")),
    )
    step = forms.ChoiceField(label=_("step"), choices=STEPS)
    name = forms.CharField(label=_("signed or approved by"), max_length=50, required=False,
                           help_text=_("Who signs or approves."))
    on = forms.DateField(label=_("date"), widget=DATE, initial=today)
    method = forms.ChoiceField(label=_("paid by"), choices=PaymentMethod.choices, required=False)
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("step") in ("handler", "witness", "approve") and not data.get("name"):
            self.add_error("name", _("Give the name of who signs or approves."))
        if data.get("step") == "pay" and not data.get("method"):
            self.add_error("method", _("Choose how it is paid."))
        on = data.get("on")
        if on and on > today():
            self.add_error("on", _("Not a date in the future."))
        return data


class LimitsForm(VersionedForm):
    class Meta:
        model = ExpenseLimits
        fields = ["cash_on_hand", "bank_transfer_from", "petty_item", "petty_total"]


class VoidForm(forms.Form):
    """Voiding a record entered by mistake: the reason goes to the record and the audit trail."""

    reason = forms.CharField(label=_("reason for voiding"), max_length=VOID_REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why the record is void, for example: entered twice."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for voiding it."))
        return reason
