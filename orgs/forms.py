from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from orgs.models import Org, Role
from orgs.services import ORG_FIELDS

OPTIMISTIC_FIELD = "loaded_version"


class OrgAdminForm(forms.ModelForm):
    """Carries the version the user loaded, so a save over someone else's change is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Org
        fields = ORG_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields[OPTIMISTIC_FIELD].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get(OPTIMISTIC_FIELD)
        if self.instance.pk and loaded is not None:
            current = Org.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current is not None and current != loaded:
                raise forms.ValidationError(
                    _("Someone else saved this organisation after you opened it. Your changes are "
                      "still in the form: reload the page in another tab to see theirs, then save again."),
                    code="conflict",
                )
        return cleaned


class UserWithGrantCreationForm(UserCreationForm):
    """A new account always starts with a role, so it never falls outside every admin's scope."""

    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    org = forms.ModelChoiceField(label=_("organisation"), queryset=Org.objects.none())

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)
