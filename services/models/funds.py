"""Union funds (工会经费) and mutual-aid rounds (职工互助一日捐), seed 002."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FundRecord(models.Model):
    """One union's payroll and the dues its federation received for one year (integer yuan).

    Dues are 2 % of the payroll; 40 % of them go to the city federation above, 60 % stay
    (services.funds computes the split)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="fund_records")
    year = models.PositiveSmallIntegerField(_("year"))
    payroll = models.PositiveBigIntegerField(_("payroll (yuan)"))
    received = models.PositiveBigIntegerField(_("received by the federation (yuan)"), default=0)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("union funds record")
        verbose_name_plural = _("union funds records")
        ordering = ["-year", "org__tree_id", "org__lft"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="fund_record_unique")]

    def __str__(self):
        return f"{self.org} {self.year}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class MutualAidRound(models.Model):
    """A 一日捐 round: money raised and aid paid out; under 70 % paid out is flagged."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="mutual_aid_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    raised = models.PositiveBigIntegerField(_("raised (yuan)"), default=0)
    paid = models.PositiveBigIntegerField(_("paid out (yuan)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices,
                              default=RoundStatus.OPEN)
    compliant = models.BooleanField(_("closed as compliant"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("mutual-aid round")
        verbose_name_plural = _("mutual-aid rounds")
        ordering = ["-year", "org__tree_id", "org__lft", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "name"], name="mutual_aid_round_unique"),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"
