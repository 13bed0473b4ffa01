"""Forms of the services pages: applying, acting on a step, closing a mutual-aid round."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import CODE_MAX_LENGTH
from services.models import ModelWorker, ServiceKind, StepData
from unionportal import text_limits


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; checked by unionportal.uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


ATTACHMENT_HELP = _("PDF, PNG, JPEG or Office files, at most 10 MB each.")
ACCEPT = ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx"
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class RequiredDocumentsMixin:
    """One file field per required document (所需材料) of the step(s) being submitted, and the
    alternative: delivered on paper, by whom and when (recorded by the one submitting)."""

    def add_document_fields(self, names: list[str]) -> None:
        self.document_names = list(names)
        for index, name in enumerate(self.document_names):
            self.fields[f"doc_{index}"] = forms.FileField(
                label=name, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                help_text=_("Required document: attach it, or record it as delivered on paper."))
            self.fields[f"paper_{index}"] = forms.BooleanField(
                label=_("%(document)s: delivered on paper") % {"document": name}, required=False)
            self.fields[f"paper_by_{index}"] = forms.CharField(
                label=_("%(document)s: delivered by") % {"document": name}, max_length=50,
                required=False)
            self.fields[f"paper_on_{index}"] = forms.DateField(
                label=_("%(document)s: delivered on") % {"document": name}, required=False,
                widget=DATE_INPUT)

    def clean_documents(self, cleaned) -> None:
        for index, name in enumerate(getattr(self, "document_names", ())):
            if not cleaned.get(f"paper_{index}"):
                continue
            if not (cleaned.get(f"paper_by_{index}") or "").strip():
                self.add_error(f"paper_by_{index}", _("Say who delivered %(document)s on paper.")
                               % {"document": name})
            if not cleaned.get(f"paper_on_{index}"):
                self.add_error(f"paper_on_{index}", _("Say on which day %(document)s was delivered.")
                               % {"document": name})

    def document_uploads(self) -> dict:
        return {name: self.cleaned_data.get(f"doc_{index}")
                for index, name in enumerate(getattr(self, "document_names", ()))
                if self.cleaned_data.get(f"doc_{index}")}

    def paper_deliveries(self) -> dict:
        from services.documents import PaperDelivery

        return {name: PaperDelivery(self.cleaned_data[f"paper_by_{index}"].strip(),
                                    self.cleaned_data[f"paper_on_{index}"])
                for index, name in enumerate(getattr(self, "document_names", ()))
                if self.cleaned_data.get(f"paper_{index}")}


class ApplyForm(RequiredDocumentsMixin, forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Subject"), max_length=200)
    member_name = forms.CharField(label=_("Member"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=text_limits.RECORD_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Application documents"), help_text=ATTACHMENT_HELP)

    def __init__(self, *args, service_type, applicant, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_type = service_type
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
            self.initial.setdefault("title", service_type.name)
        if service_type.member_required:
            self.fields["member_name"].required = True
        if service_type.kind == ServiceKind.FOUNDING:
            self.fields.pop("member_name")
            self.fields["new_name"] = forms.CharField(label=_("Name of the new union"), max_length=100)
            self.fields["new_code"] = forms.RegexField(
                label=_("Code of the new union"), max_length=CODE_MAX_LENGTH,
                regex=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                help_text=_("Lower-case letters, digits and hyphens, e.g. %(code)s-xx.")
                % {"code": applicant.code})
        if service_type.kind == ServiceKind.MODEL_WORKER_AID:
            self.fields["model_worker"] = forms.ModelChoiceField(
                label=_("Model worker"), required=False,
                queryset=ModelWorker.objects.filter(org=applicant).order_by("name"))
        from services.documents import submission_steps

        steps = submission_steps(list(service_type.steps.order_by("position")))
        self.add_document_fields([name for step in steps for name in step.document_list])

    def clean(self):
        cleaned = super().clean()
        self.clean_documents(cleaned)
        return cleaned

    def details(self) -> dict:
        data = self.cleaned_data
        if self.service_type.kind == ServiceKind.FOUNDING:
            return {"new_name": data["new_name"].strip(), "new_code": data["new_code"].strip()}
        return {}


STEP_FIELDS = {
    StepData.MEMBERS: ("members",),
    StepData.OFFICERS: ("chair", "vice_chairs", "funds_chair", "women_chair", "elected_on"),
    StepData.CERTIFICATE: ("certificate_number", "issued_on", "expires_on"),
    StepData.AID: ("aid_granted", "aid_paid"),
    StepData.OUTCOME: ("outcome",),
}
DATE = forms.DateInput(attrs={"type": "date"})


class ActionForm(RequiredDocumentsMixin, forms.Form):
    """One form for every action on the current step; the button pressed names the action."""

    step = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=text_limits.NOTE,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required when you return or reject the case."))
    files = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENT_HELP)
    members = forms.IntegerField(label=_("Members registered"), min_value=1, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=50, required=False)
    vice_chairs = forms.CharField(label=_("Vice-chairs"), max_length=200, required=False,
                                  help_text=_("Separate names with 、"))
    funds_chair = forms.CharField(label=_("Chair of the fund review committee"), max_length=50,
                                  required=False)
    women_chair = forms.CharField(label=_("Chair of the women workers' committee"),
                                  max_length=50, required=False)
    elected_on = forms.DateField(label=_("Elected on"), required=False, widget=DATE)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=60,
                                         required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DATE)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)
    aid_granted = forms.IntegerField(label=_("Aid granted (yuan)"), min_value=0, required=False)
    aid_paid = forms.IntegerField(label=_("Aid paid (yuan)"), min_value=0, required=False)
    outcome = forms.CharField(label=_("Result"), required=False, max_length=text_limits.NOTE,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, step=None, documents_needed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_document_fields(list(documents_needed))
        wanted = set(STEP_FIELDS.get(step.data, ())) if step is not None else set()
        for names in STEP_FIELDS.values():
            for name in names:
                if name not in wanted:
                    self.fields.pop(name)
        if step is not None and not self.is_bound:
            self.initial["step"] = step.pk
        if step is not None and step.outside_party and "outcome" in self.fields:
            self.fields["outcome"].label = _("Result from %(party)s") % {"party": step.outside_party}

    def clean(self):
        cleaned = super().clean()
        self.clean_documents(cleaned)
        return cleaned

    def step_data(self) -> dict:
        names = [name for fields in STEP_FIELDS.values() for name in fields]
        return {name: self.cleaned_data.get(name) for name in names if name in self.fields}


class CloseRoundForm(forms.Form):
    compliant = forms.TypedChoiceField(
        label=_("Close as"), coerce=lambda v: v == "1",
        choices=(("1", _("compliant")), ("0", _("not compliant"))))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)
