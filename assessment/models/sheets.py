"""Rounds (考核年度), sheets (one per assessee), graded units, evidence and the sheet history."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from assessment.models.templates import Indicator, Item, Template
from orgs.models import Org
from unionportal import text_limits
from unionportal.concurrency import Versioned


class Grade(models.TextChoices):
    FULL = "full", _("fully completed")  # 全面完成
    BASIC = "basic", _("basically completed")  # 基本完成
    NONE = "none", _("not completed")  # 未完成


# The grades as the exchange file and the documents write them.
GRADE_FILE_NAMES = {"全面完成": Grade.FULL, "基本完成": Grade.BASIC, "未完成": Grade.NONE}
GRADE_FILE_LABELS = {grade: label for label, grade in GRADE_FILE_NAMES.items()}


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    REVIEWED = "reviewed", _("reviewed")
    SCORED = "scored", _("scored")
    FINAL = "final", _("final")


class Round(models.Model):
    """The YEAR assessment of one assessor: every sheet of its templates for that year."""

    assessor = models.ForeignKey(Org, verbose_name=_("assessor"), on_delete=models.PROTECT,
                                 related_name="assessment_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-year", "assessor__tree_id", "assessor__lft"]
        constraints = [
            models.UniqueConstraint(fields=["assessor", "year"], name="assessment_round_key"),
        ]

    def __str__(self):
        return f"{self.year} · {self.assessor}"


class Sheet(Versioned, models.Model):
    """One assessee's sheet in a round: the self-assessment, the review and the score."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT,
                              related_name="sheets")
    template = models.ForeignKey(Template, verbose_name=_("template"), on_delete=models.PROTECT,
                                 related_name="sheets")
    org = models.ForeignKey(Org, verbose_name=_("assessee"), on_delete=models.PROTECT,
                            related_name="assessment_sheets")
    # Copied from the round so that lists, URLs and the scoping gate need no joins.
    assessor = models.ForeignKey(Org, verbose_name=_("assessor"), on_delete=models.PROTECT,
                                 related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    # The system union the assessee belongs to (itself for a system union): rankings and the
    # progress board group by it.
    group = models.ForeignKey(Org, verbose_name=_("system union"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=SheetStatus.choices,
                              default=SheetStatus.DRAFT, db_index=True)
    # ``version`` (Versioned): every write bumps it; a save based on an older one is refused.
    submissions = models.PositiveSmallIntegerField(_("submissions"), default=0)
    self_total = models.DecimalField(_("self-assessed total"), max_digits=7, decimal_places=2,
                                     null=True, blank=True)
    final_total = models.DecimalField(_("final total"), max_digits=7, decimal_places=2, null=True,
                                      blank=True, db_index=True)
    # [{"number", "name", "weight", "self", "final"}] per indicator, scaled and rounded.
    indicator_scores = models.JSONField(_("indicator scores"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment sheet")
        verbose_name_plural = _("assessment sheets")
        ordering = ["round", "org__tree_id", "org__lft"]
        constraints = [
            models.UniqueConstraint(fields=["round", "org"], name="assessment_sheet_per_round"),
        ]
        indexes = [
            models.Index(fields=["year", "org"], name="assessment_sheet_year_org"),
            models.Index(fields=["round", "group", "status"], name="assessment_sheet_board"),
        ]

    def __str__(self):
        return f"{self.year} · {self.org} · {self.get_status_display()}"

    def get_absolute_url(self):
        from django.urls import reverse

        url = reverse("assessment:sheet", kwargs={"year": self.year, "code": self.org.code})
        return f"{url}?assessor={self.assessor.code}"

    @cached_property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        deadline = self.round.deadline
        return (deadline is not None and self.status in (SheetStatus.DRAFT, SheetStatus.RETURNED)
                and timezone.localdate() > deadline)


class Unit(models.Model):
    """A graded unit: an item that carries its own points (序号 N.M), or a whole indicator (N)."""

    sheet = models.ForeignKey(Sheet, verbose_name=_("sheet"), on_delete=models.CASCADE,
                              related_name="units")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="+")
    item = models.ForeignKey(Item, verbose_name=_("item"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    seq = models.CharField(_("number"), max_length=12)  # 序号: "N" or "N.M"
    position = models.PositiveSmallIntegerField(_("position"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    self_grade = models.CharField(_("self-assessed grade"), max_length=10, choices=Grade.choices,
                                  blank=True)
    self_docs = models.BooleanField(_("documents complete"), null=True, blank=True)
    self_note = models.TextField(_("explanation"), blank=True, max_length=text_limits.NOTE)
    self_score = models.DecimalField(_("self-score"), max_digits=6, decimal_places=2, null=True,
                                     blank=True)
    review_grade = models.CharField(_("reviewed grade"), max_length=10, choices=Grade.choices,
                                    blank=True)
    review_docs = models.BooleanField(_("documents complete (review)"), null=True, blank=True)
    review_note = models.TextField(_("review comment"), blank=True, max_length=text_limits.NOTE)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True,
                                      blank=True)
    returned = models.BooleanField(_("returned"), default=False)
    return_reason = models.TextField(_("reason for return"), blank=True, max_length=text_limits.NOTE)

    class Meta:
        verbose_name = _("graded unit")
        verbose_name_plural = _("graded units")
        ordering = ["sheet", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "seq"], name="assessment_unit_seq"),
        ]

    def __str__(self):
        return f"{self.seq} {self.indicator.name}"

    @property
    def content(self) -> str:
        return self.item.text if self.item_id else self.indicator.content


def evidence_storage():
    """The default storage (var/media outside the web root, or the object store: settings
    STORAGES); no URL is handed out: files go through the gate."""
    return default_storage


def evidence_path(instance, filename):
    suffix = PurePosixPath(filename).suffix.lower()
    return f"evidence/{instance.unit.sheet_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """An uploaded document for a unit: stored outside the web root, served through the gate."""

    unit = models.ForeignKey(Unit, verbose_name=_("graded unit"), on_delete=models.CASCADE,
                             related_name="evidence")
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_path,
                            max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["unit", "uploaded_at", "id"]

    def __str__(self):
        return self.name


class SheetEvent(models.Model):
    """The sheet's history: every step, every return with its reasons, every reminder."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        IMPORTED = "imported", _("filled in from a file")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        REVIEWED = "reviewed", _("passed on after review")
        SCORED = "scored", _("scored")
        FINALISED = "finalised", _("finalised")
        REOPENED = "reopened", _("reopened")
        REMINDED = "reminded", _("reminder")
        REGROUPED = "regrouped", _("moved to another system union")

    sheet = models.ForeignKey(Sheet, verbose_name=_("sheet"), on_delete=models.CASCADE,
                              related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    submission = models.PositiveSmallIntegerField(_("submission"), default=0)
    comment = models.TextField(_("comment"), blank=True)
    # Returned units and reasons, or the units as submitted (what each round looked like).
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sheet event")
        verbose_name_plural = _("sheet events")
        ordering = ["sheet", "at", "id"]
        indexes = [models.Index(fields=["sheet", "kind"], name="assessment_event_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
