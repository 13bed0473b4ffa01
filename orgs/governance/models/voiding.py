"""Voiding (作废) a governance record entered by mistake: the record stays, struck through,
with who voided it, when and why; the rule checks and dashboards leave it out.  Written only
by orgs/governance/voiding.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

VOID_REASON_MAX_LENGTH = 500


class Voidable(models.Model):
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=VOID_REASON_MAX_LENGTH,
                                   blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
