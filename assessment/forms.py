"""Forms of the assessment pages: one field set per graded unit, named by the unit's id."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.forms_render import lean_renderer
from assessment.models import Grade, Sheet
from assessment.services import EDITABLE_BY_STAFF, Entry
from unionportal import text_limits

DOCS_CHOICES = [("", "—"), ("yes", _("complete")), ("no", _("incomplete"))]


def _docs(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SelfAssessmentForm(VersionedForm):
    """Grade, 资料齐全 and explanation per unit; only ``editable`` units get fields."""

    default_renderer = lean_renderer  # some 140 widgets per sheet: the same HTML, in Python

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
                label=_("explanation"), required=False, initial=unit.self_note, max_length=text_limits.NOTE,
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

    default_renderer = lean_renderer

    reason = forms.CharField(label=_("Reason for returning the whole sheet"), required=False, max_length=text_limits.NOTE,
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
                label=_("review comment"), required=False, initial=unit.review_note, max_length=text_limits.NOTE,
                widget=forms.Textarea(attrs={"rows": 2}))
            if returnable:
                self.fields[f"return-{unit.pk}"] = forms.BooleanField(label=_("return"), required=False)
                self.fields[f"why-{unit.pk}"] = forms.CharField(
                    label=_("reason"), required=False, max_length=text_limits.NOTE, widget=forms.TextInput())

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
    reason = forms.CharField(label=_("Reason"), max_length=text_limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    default_renderer = lean_renderer  # on every sheet page a staff member opens
    # (A plain file input: nothing is ever uploaded before, so nothing to clear.)
    file = forms.FileField(label=_("Filled-in sheet (.xlsx or .csv)"), widget=forms.FileInput)
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


# --- 会员评家 -------------------------------------------------------------------------------

VICE_CHAIR_SLOTS = 4  # rows for vice-chairs on the form (a base union rarely has more)


def rating_slots(contents) -> list[tuple[str, str, tuple[str, ...]]]:
    """(slot, subject, contents) of the form: the committee, the chair and the vice-chairs."""
    from assessment.models import RatingSubject

    slots = [("committee", RatingSubject.COMMITTEE, contents.committee), ("chair", RatingSubject.CHAIR, contents.leaders)]
    slots += [(f"vice{n}", RatingSubject.VICE_CHAIR, contents.leaders) for n in range(1, VICE_CHAIR_SLOTS + 1)]
    return slots


class MemberEvaluationForm(forms.Form):
    """The evaluation's counts and the ratings: per slot, per content of seed 004, three counts."""

    held_on = forms.DateField(label=_("Held on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    basis = forms.ChoiceField(label=_("Counted against"))
    members = forms.IntegerField(label=_("Members (or representatives)"), min_value=0)
    participants = forms.IntegerField(label=_("Participants"), min_value=0)
    frontline_participants = forms.IntegerField(label=_("Frontline participants"), min_value=0)

    COUNTS = ("s", "b", "d")  # satisfied, basically satisfied, dissatisfied

    def __init__(self, *args, contents, evaluation=None, **kwargs):
        from assessment.models import MemberEvaluation

        initial = kwargs.pop("initial", {}) or {}
        self.slots = rating_slots(contents)
        if evaluation is not None:
            initial.update({"held_on": evaluation.held_on, "basis": evaluation.basis, "members": evaluation.members,
                            "participants": evaluation.participants,
                            "frontline_participants": evaluation.frontline_participants})
            initial.update(self._rating_initial(evaluation))
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["basis"].choices = MemberEvaluation.Basis.choices
        for slot, subject, items in self.slots:
            if subject != "committee":
                self.fields[f"person-{slot}"] = forms.CharField(label=_("name"), required=False, max_length=50)
            for number in range(1, len(items) + 1):
                for count in self.COUNTS:
                    self.fields[f"r-{slot}-{number}-{count}"] = forms.IntegerField(
                        min_value=0, required=False, widget=forms.NumberInput(attrs={"class": "count"}))

    def _rating_initial(self, evaluation) -> dict:
        initial, vice = {}, 0
        slot_of = {}
        for rating in evaluation.ratings.order_by("subject", "person", "content_number"):
            key = (rating.subject, rating.person)
            if key not in slot_of:
                if rating.subject == "committee":
                    slot_of[key] = "committee"
                elif rating.subject == "chair" and "chair" not in slot_of.values():
                    slot_of[key] = "chair"
                else:
                    vice += 1
                    if vice > VICE_CHAIR_SLOTS:
                        continue
                    slot_of[key] = f"vice{vice}"
                if rating.person:
                    initial[f"person-{slot_of[key]}"] = rating.person
            slot = slot_of.get(key)
            if slot is None:
                continue
            for count, value in zip(self.COUNTS, (rating.satisfied, rating.basically_satisfied, rating.dissatisfied)):
                initial[f"r-{slot}-{rating.content_number}-{count}"] = value
        return initial

    def rows(self):
        """For the template: per slot its name field and, per content, the three count fields."""
        for slot, subject, items in self.slots:
            yield {"slot": slot, "subject": subject, "person": self[f"person-{slot}"] if subject != "committee" else None,
                   "contents": [(n, text, [self[f"r-{slot}-{n}-{c}"] for c in self.COUNTS])
                                for n, text in enumerate(items, 1)]}

    def ratings(self):
        from assessment.services import RatingSpec

        specs = []
        for slot, subject, items in self.slots:
            person = self.cleaned_data.get(f"person-{slot}", "") if subject != "committee" else ""
            for number in range(1, len(items) + 1):
                counts = [self.cleaned_data.get(f"r-{slot}-{number}-{c}") for c in self.COUNTS]
                if all(c is None for c in counts):
                    continue
                satisfied, basic, dissatisfied = (c or 0 for c in counts)
                specs.append(RatingSpec(subject=str(subject), content_number=number, satisfied=satisfied,
                                        basically_satisfied=basic, dissatisfied=dissatisfied, person=person or ""))
        return specs


class ApprovalForm(forms.Form):
    approved = forms.BooleanField(label=_("The superior union approved a lower ratio"), required=False)
    note = forms.CharField(label=_("Approval (document, date)"), required=False, max_length=200)


class PublicationForm(forms.Form):
    published_on = forms.DateField(label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.CharField(label=_("How (notice board, meeting, intranet…)"), max_length=200)


class RectificationForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    issue = forms.CharField(label=_("Members' opinion"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("Measure"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    completed = forms.BooleanField(label=_("Completed"), required=False)
    reported_on = forms.DateField(label=_("Outcome reported to members on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
