from django import forms
from django.utils.translation import gettext_lazy as _

from duties.models import DutyItem

LIST_FIELDS = ("legal_basis", "documents", "responsibilities", "aliases")


class LinesField(forms.CharField):
    """A list of texts edited one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 80})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class DutyItemAdminForm(forms.ModelForm):
    legal_basis = LinesField(label=_("legal basis"), help_text=_("One law or document per line."))
    documents = LinesField(label=_("required documents"), help_text=_("One document per line."))
    responsibilities = LinesField(label=_("responsibilities"), help_text=_("One responsibility per line."))
    aliases = LinesField(label=_("other wordings"), help_text=_("Other wordings of the name, one per line."))

    class Meta:
        model = DutyItem
        fields = ("version", "main_duty", "number", "name", "legal_basis", "department", "boundary",
                  "workflow_text", "documents", "responsibilities", "supervision", "aliases", "position")
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "boundary": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "workflow_text": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "supervision": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }
        help_texts = {
            "workflow_text": _("Steps separated by -, —, ——, － or →; a line “办理程序：…” starts a titled workflow."),
            "supervision": _("Only where it differs from the department's contact."),
        }

    # The parts of a version an item refers to, with the error when one is of another version.
    PARTS = {
        "main_duty": _("Choose a main duty of %(version)s."),
        "department": _("Choose a department of %(version)s."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Once the version is known, offer only its own main duties and departments.
        version_id = self._version_id()
        if version_id is not None:
            for name in self.PARTS:
                if name in self.fields:
                    field = self.fields[name]
                    field.queryset = field.queryset.filter(version_id=version_id)

    def _version_id(self):
        if self.is_bound:
            value = self.data.get(self.add_prefix("version"))
        elif self.instance.version_id:
            value = self.instance.version_id
        else:
            value = self.initial.get("version")
        value = getattr(value, "pk", value)
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version")
        if version is not None:
            for name, message in self.PARTS.items():
                part = cleaned.get(name)
                if part is not None and part.version_id != version.pk:
                    self.add_error(name, message % {"version": version})
        return cleaned
