"""Scoring templates (考核细则): an assessor's sheet for a year, its indicators and items."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import Org, OrgKind
from unionportal import text_limits
from unionportal.concurrency import Versioned


class AssesseeRule(models.TextChoices):
    CHILDREN = "children", _("every direct child of the assessor")
    NAMED = "named", _("the named unions")
    KIND = "kind", _("every union of a kind in the assessor's subtree")


class Template(Versioned, models.Model):
    """One assessor's scoring sheet for one year and one set of assessees.

    Keyed by (assessor, year, assessee set): ``assessee_key`` spells the set canonically.
    """

    assessor = models.ForeignKey(Org, verbose_name=_("assessor"), on_delete=models.PROTECT,
                                 related_name="assessment_templates")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    assessee_rule = models.CharField(_("applies to"), max_length=20, choices=AssesseeRule.choices,
                                     default=AssesseeRule.CHILDREN)
    assessee_kind = models.CharField(_("kind of assessee"), max_length=20, choices=OrgKind.choices,
                                     blank=True)
    assessees = models.ManyToManyField(Org, verbose_name=_("named assessees"), blank=True,
                                       related_name="+")
    assessee_key = models.CharField(max_length=400, editable=False)
    # The document's own header cells (they vary between sheets of seed 003).
    headers = models.JSONField(_("headers"), default=list, blank=True)
    # The rule's factors: 全面完成得满分，基本完成得70%分；资料不全扣20%的分.
    full_factor = models.DecimalField(_("factor for fully completed"), max_digits=4, decimal_places=3,
                                      default=Decimal("1.000"))
    basic_factor = models.DecimalField(_("factor for basically completed"), max_digits=4,
                                       decimal_places=3, default=Decimal("0.700"))
    none_factor = models.DecimalField(_("factor for not completed"), max_digits=4, decimal_places=3,
                                      default=Decimal("0.000"))
    docs_penalty = models.DecimalField(_("penalty for incomplete documents"), max_digits=4,
                                       decimal_places=3, default=Decimal("0.200"))
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="copies")
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment template")
        verbose_name_plural = _("assessment templates")
        ordering = ["-year", "assessor__tree_id", "assessor__lft", "assessee_key"]
        constraints = [
            models.UniqueConstraint(fields=["assessor", "year", "assessee_key"],
                                    name="assessment_template_key"),
        ]

    def __str__(self):
        return f"{self.year} {self.title} · {self.assessee_label()}"

    def assessee_label(self) -> str:
        if self.assessee_rule == AssesseeRule.NAMED:
            names = getattr(self, "_named_cache", None)
            if names is None:
                names = [org.name for org in self.assessees.all()]
            return "、".join(names)
        if self.assessee_rule == AssesseeRule.KIND:
            return str(OrgKind(self.assessee_kind).label)
        return str(_("every direct child"))

    def total_weight(self) -> Decimal:
        return sum((indicator.weight for indicator in self.indicators.all()), Decimal(0))


class Indicator(models.Model):
    """One indicator (考核指标) of a template, with its weight (权重) and rule (扣分方法)."""

    template = models.ForeignKey(Template, verbose_name=_("template"), on_delete=models.CASCADE,
                                 related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=10)  # 序号
    section = models.CharField(_("section"), max_length=100, blank=True)  # 考核类别
    name = models.CharField(_("indicator"), max_length=200)
    stated_points = models.DecimalField(_("points stated in the name"), max_digits=6,
                                        decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    content = models.TextField(_("content"), blank=True, max_length=text_limits.DUTY_TEXT)
    rule_text = models.TextField(_("scoring rule"), blank=True, max_length=text_limits.DUTY_TEXT)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="assessment_indicator_number"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def item_points_total(self) -> Decimal | None:
        points = [item.points for item in self.items.all() if item.points is not None]
        return sum(points, Decimal(0)) if points else None


class Item(models.Model):
    """One numbered content item (考核内容) of an indicator; some carry their own points."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE,
                                  related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=10)
    text = models.TextField(_("text"), max_length=text_limits.DUTY_TEXT)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        ordering = ["indicator", "position"]

    def __str__(self):
        return f"{self.number}、{self.text[:40]}"
