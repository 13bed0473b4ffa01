"""The model-worker register (劳模名册) and the budget rates of seed 002."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Seed 002's rates; a BudgetRate row for (federation, year) overrides them.
DEFAULT_RATES = {"allowance_one": 1500, "allowance_two": 2000, "allowance_three": 2500,
                 "health_check": 400}


class WorkerLevel(models.TextChoices):
    CITY = "city", _("city")  # 市级
    PROVINCIAL = "provincial", _("provincial")  # 省级
    NATIONAL = "national", _("national")  # 全国


WORKER_LEVEL_FILE_NAMES = {"市级": WorkerLevel.CITY, "省级": WorkerLevel.PROVINCIAL,
                           "全国": WorkerLevel.NATIONAL}
WORKER_LEVEL_FILE_LABELS = {value: label for label, value in WORKER_LEVEL_FILE_NAMES.items()}


class ModelWorker(models.Model):
    """A model worker (劳动模范) of city level or above, at the union of their employer.

    The employer may be an enterprise that no longer exists: its union stays in the tree as
    an inactive org, so the worker keeps counting in the federation's budget.
    """

    name = models.CharField(_("name"), max_length=50)
    id_tail = models.CharField(_("ID number, last four"), max_length=4, blank=True,
                               validators=[RegexValidator(r"^[0-9]{3}[0-9Xx]$")])
    org = models.ForeignKey("orgs.Org", verbose_name=_("employer union"),
                            on_delete=models.PROTECT, related_name="model_workers")
    level = models.CharField(_("level"), max_length=20, choices=WorkerLevel.choices)
    honours = models.PositiveSmallIntegerField(_("honours"), validators=[MinValueValidator(1)])
    first_year = models.PositiveSmallIntegerField(_("first honoured"))
    retired = models.BooleanField(_("retired"), default=False)
    alive = models.BooleanField(_("alive"), default=True)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("model worker")
        verbose_name_plural = _("model workers")
        ordering = ["org__tree_id", "org__lft", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "id_tail", "org"], name="model_worker_unique"),
        ]

    def __str__(self):
        return self.name


class BudgetRate(models.Model):
    """The model-worker rates of one federation for one year (yuan per person)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("federation"), on_delete=models.CASCADE,
                            related_name="budget_rates")
    year = models.PositiveSmallIntegerField(_("year"))
    allowance_one = models.PositiveIntegerField(_("allowance, one honour"), default=1500)
    allowance_two = models.PositiveIntegerField(_("allowance, two honours"), default=2000)
    allowance_three = models.PositiveIntegerField(_("allowance, three or more"), default=2500)
    health_check = models.PositiveIntegerField(_("health check"), default=400)

    class Meta:
        verbose_name = _("budget rate")
        verbose_name_plural = _("budget rates")
        ordering = ["org", "-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="budget_rate_unique")]

    def __str__(self):
        return f"{self.org} {self.year}"
