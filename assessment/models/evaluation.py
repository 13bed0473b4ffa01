"""会员评家 (seed 004): members rate their union committee and its chair and vice-chairs."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import Org

# Thresholds of interfaces.md: participants ≥ 30 % of members (or member representatives),
# frontline participants ≥ 60 % of participants, unless the superior union approved less.
MIN_PARTICIPATION = Decimal("0.30")
MIN_FRONTLINE = Decimal("0.60")


class MemberEvaluation(models.Model):
    class Basis(models.TextChoices):
        MEMBERS = "members", _("members")
        REPRESENTATIVES = "representatives", _("member representatives")

    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT,
                            related_name="member_evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    basis = models.CharField(_("counted against"), max_length=20, choices=Basis.choices,
                             default=Basis.MEMBERS)
    members = models.PositiveIntegerField(_("members (or representatives)"))
    participants = models.PositiveIntegerField(_("participants"))
    frontline_participants = models.PositiveIntegerField(_("frontline participants"))
    superior_approval = models.BooleanField(_("superior union approved a lower ratio"), default=False)
    approval_note = models.CharField(_("approval (by whom, when)"), max_length=200, blank=True)
    # Who of the superior union recorded the approval, and when (the union itself may not).
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approval recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approval recorded at"), null=True, blank=True)
    published_on = models.DateField(_("results published to members on"), null=True, blank=True)
    publication_note = models.CharField(_("how the results were published"), max_length=200,
                                        blank=True)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("member evaluation")
        verbose_name_plural = _("member evaluations")
        ordering = ["org", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="member_evaluation_per_year"),
        ]

    def __str__(self):
        return f"{self.year} · {self.org}"

    @property
    def participation(self) -> Decimal | None:
        return Decimal(self.participants) / self.members if self.members else None

    @property
    def frontline_share(self) -> Decimal | None:
        return Decimal(self.frontline_participants) / self.participants if self.participants else None

    @property
    def meets_participation(self) -> bool:
        return self.members > 0 and self.participants >= self.members * MIN_PARTICIPATION

    @property
    def meets_frontline(self) -> bool:
        return self.participants > 0 and self.frontline_participants >= self.participants * MIN_FRONTLINE

    @property
    def is_valid(self) -> bool:
        if self.participants == 0 or self.frontline_participants > self.participants:
            return False
        return (self.meets_participation and self.meets_frontline) or self.superior_approval


class RatingSubject(models.TextChoices):
    COMMITTEE = "committee", _("union committee")
    CHAIR = "chair", _("chair")
    VICE_CHAIR = "vice_chair", _("vice-chair")


class EvaluationRating(models.Model):
    """How many participants rated one subject satisfied / basically / not satisfied on one content."""

    evaluation = models.ForeignKey(MemberEvaluation, verbose_name=_("member evaluation"),
                                   on_delete=models.CASCADE, related_name="ratings")
    subject = models.CharField(_("rated"), max_length=20, choices=RatingSubject.choices)
    person = models.CharField(_("name"), max_length=50, blank=True)
    content_number = models.PositiveSmallIntegerField(_("content"))
    content = models.CharField(_("content"), max_length=200)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    basically_satisfied = models.PositiveIntegerField(_("basically satisfied"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"), default=0)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["evaluation", "subject", "person", "content_number"]

    def __str__(self):
        return f"{self.get_subject_display()} {self.person} {self.content_number}"

    @property
    def votes(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def satisfaction(self) -> Decimal | None:
        """Share rating satisfied or basically satisfied."""
        return Decimal(self.satisfied + self.basically_satisfied) / self.votes if self.votes else None


class Rectification(models.Model):
    """A concentrated opinion of the members, the measure taken and its outcome (整改)."""

    evaluation = models.ForeignKey(MemberEvaluation, verbose_name=_("member evaluation"),
                                   on_delete=models.CASCADE, related_name="rectifications")
    issue = models.TextField(_("members' opinion"))
    measure = models.TextField(_("measure"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    completed = models.BooleanField(_("completed"), default=False)
    reported_on = models.DateField(_("outcome reported to members on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["evaluation", "id"]

    def __str__(self):
        return self.issue[:60]
