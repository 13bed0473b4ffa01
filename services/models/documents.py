"""Required documents (所需材料) handed in on paper instead of attached to the case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.cases import Case


class PaperDocument(models.Model):
    """A step's required document delivered on paper: who brought it and when, and who (the
    handler taking the step) recorded it."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="paper_documents")
    step_position = models.PositiveSmallIntegerField(_("step"))
    document = models.CharField(_("required document"), max_length=100)
    delivered_by = models.CharField(_("delivered by"), max_length=50)
    delivered_on = models.DateField(_("delivered on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("document delivered on paper")
        verbose_name_plural = _("documents delivered on paper")
        ordering = ["case", "step_position", "document"]
        constraints = [models.UniqueConstraint(fields=["case", "step_position", "document"],
                                               name="paper_document_unique")]

    def __str__(self):
        return f"{self.document} ({self.delivered_by}, {self.delivered_on:%Y-%m-%d})"
