"""Forms of the assessment pages: one field set per graded unit, named by the unit's id."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Grade, Sheet
from assessment.services import EDITABLE_BY_STAFF, Entry

DOCS_CHOICES = [("", "—"), ("yes", _("complete")), ("no", _("incomplete"))]


def _docs(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SelfAssessmentForm(VersionedForm):
    """Grade, 资料齐全 and explanation per unit; only ``editable`` units get fields."""

    def __init__(self, *args, units, editable, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.editable = set(editable)
        for unit in units:
            if unit.pk not in self.editable:
                continue
            self.fields[f"grade-{unit.pk}"] = forms.ChoiceField(
                label=_("grade"), choices=[("", "—"), *Grade.choices], required=False,
                widget=forms.RadioSelect, initial=unit.self_grade)
            self.fields[f"docs-{unit.pk}"] = forms.BooleanField(
                label=_("documents complete"), required=False, initial=bool(unit.self_docs))
            self.fields[f"note-{unit.pk}"] = forms.CharField(
                label=_("explanation"), required=False, initial=unit.self_note,
                widget=forms.Textarea(attrs={"rows": 2}))

    def entries(self) -> dict[str, Entry]:
        found = {}
        for unit in self.units:
            if unit.pk not in self.editable:
                continue
            grade = self.cleaned_data.get(f"grade-{unit.pk}") or ""
            found[unit.seq] = Entry(grade=grade, docs=bool(self.cleaned_data.get(f"docs-{unit.pk}")),
                                    note=self.cleaned_data.get(f"note-{unit.pk}", ""))
        return found


class ReviewForm(VersionedForm):
    """The reviewer's (or scorer's) grade, documents and comment per unit, and what to return."""

    reason = forms.CharField(label=_("Reason for returning the whole sheet"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, returnable=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.returnable = returnable
        for unit in units:
            self.fields[f"rgrade-{unit.pk}"] = forms.ChoiceField(
                label=_("reviewed grade"), choices=[("", _("as self-assessed")), *Grade.choices],
                required=False, initial=unit.review_grade)
            self.fields[f"rdocs-{unit.pk}"] = forms.ChoiceField(
                label=_("documents"), choices=DOCS_CHOICES, required=False,
                initial={True: "yes", False: "no"}.get(unit.review_docs, ""))
            self.fields[f"rnote-{unit.pk}"] = forms.CharField(
                label=_("review comment"), required=False, initial=unit.review_note,
                widget=forms.Textarea(attrs={"rows": 2}))
            if returnable:
                self.fields[f"return-{unit.pk}"] = forms.BooleanField(label=_("return"), required=False)
                self.fields[f"why-{unit.pk}"] = forms.CharField(
                    label=_("reason"), required=False, widget=forms.TextInput())

    def entries(self) -> dict[str, Entry]:
        found = {}
        for unit in self.units:
            grade = self.cleaned_data.get(f"rgrade-{unit.pk}") or ""
            docs = _docs(self.cleaned_data.get(f"rdocs-{unit.pk}", ""))
            if grade and docs is None:
                docs = unit.self_docs if unit.self_docs is not None else False
            found[unit.seq] = Entry(grade=grade, docs=docs, note=self.cleaned_data.get(f"rnote-{unit.pk}", ""))
        return found

    def return_reasons(self) -> dict[str, str]:
        return {unit.seq: self.cleaned_data.get(f"why-{unit.pk}", "") for unit in self.units
                if self.cleaned_data.get(f"return-{unit.pk}")}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in sheet (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only, change nothing"), required=False)


class OpenRoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    deadline = forms.DateField(label=_("Deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = dt.date.today()
        self.fields["year"].initial = today.year
        self.fields["deadline"].initial = dt.date(today.year, 12, 31)


class CopyTemplateForm(forms.Form):
    year = forms.IntegerField(label=_("Copy to year"), min_value=2000, max_value=2999)


class RemindForm(forms.Form):
    """A reminder to the ticked sheets (``sheet``: ids among ``sheets``), or to every overdue one."""

    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sheet = forms.ModelMultipleChoiceField(
        queryset=Sheet.objects.none(), required=False, widget=forms.MultipleHiddenInput,
        error_messages={
            "invalid_pk_value": _("“%(pk)s” is not a sheet number; tick the units in the list."),
            "invalid_choice": _("Sheet %(value)s is not a sheet of this round that you can see; "
                                "reload the page and tick the units again."),
        })

    def __init__(self, *args, sheets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].queryset = sheets

    def chosen_sheets(self):
        """The ticked sheets still overdue, or None (every overdue sheet) when none is ticked."""
        if not self["sheet"].value():
            return None
        return self.cleaned_data["sheet"].filter(status__in=EDITABLE_BY_STAFF)
