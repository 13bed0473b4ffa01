"""The preferences form: one choice of channel per registered kind."""

from django import forms

from unionportal.notifications import kinds
from unionportal.notifications.kinds import Channel


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_choices: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds.ordered():
            self.fields[f"kind:{kind.code}"] = forms.ChoiceField(
                label=kind.label, choices=Channel.choices, initial=initial_choices.get(kind.code, kind.default),
                widget=forms.RadioSelect)

    def choices(self) -> dict[str, str]:
        return {name.removeprefix("kind:"): value for name, value in self.cleaned_data.items()}
