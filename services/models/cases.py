"""Member-service workflows (会员服务): service types with ordered steps, and the cases that
travel up the union tree step by step.

A step names the level that acts: the applicant union itself, its superior union, or an org
kind (federation, system, street, base).  ``services.routing`` turns that into the org the
step routes to.  A case keeps its current step and the org that step routes to, so a work
queue is one indexed query on (status, current_org).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionportal import text_limits


class ServiceKind(models.TextChoices):
    """What completing a case does besides closing it."""

    GENERAL = "general", _("general")
    MEMBER_CARD = "member_card", _("member service card")
    FOUNDING = "founding", _("founding a union")  # creates the new base union
    LEGAL_PERSON = "legal_person", _("legal-person registration")  # records the certificate
    HARDSHIP = "hardship", _("hardship aid")  # aid granted and paid
    NOMINATION = "nomination", _("model-worker nomination")
    MODEL_WORKER_AID = "model_worker_aid", _("hardship aid for model workers")


class Actor(models.TextChoices):
    """The level that acts at a step (the routing rule of the interfaces page)."""

    APPLICANT = "applicant", _("the applicant union")
    SUPERIOR = "superior", _("the superior union")  # the nearest system or street union
    FEDERATION = "federation", _("federation")
    SYSTEM = "system", _("system union")
    STREET = "street", _("street union")
    BASE = "base", _("base union")


class StepData(models.TextChoices):
    """What a step records when it is completed (a form of its own)."""

    NONE = "", _("nothing beyond a comment")
    MEMBERS = "members", _("members registered")
    OFFICERS = "officers", _("elected officers")
    CERTIFICATE = "certificate", _("certificate number and expiry")
    AID = "aid", _("aid granted and paid")
    OUTCOME = "outcome", _("the result")


class ServiceType(models.Model):
    """A service a union applies for (办事事项): an ordered list of steps.

    A type belongs to one ``federation`` (所属总工会: the top of a tree), whose catalogue it
    carries out, with steps worded for that federation's tree.  ``org`` owns it inside that
    tree (usually the federation itself); unions below ``org`` in the same federation may apply,
    and so may the unions of the federations it is explicitly ``shared_with``.  A duty item
    whose 运行流程 this type carries out is found through (``duty_org``, ``duty_number``).
    """

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="service_types"
    )
    federation = models.ForeignKey(
        "orgs.Org", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_("The federation whose unions apply for it, and whose catalogue it follows."))
    shared_with = models.ManyToManyField(
        "orgs.Org", verbose_name=_("shared with"), blank=True, related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_("Other federations whose unions may apply for it too, with these steps."))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices,
                            default=ServiceKind.GENERAL)
    description = models.TextField(_("description"), blank=True)
    # Steps the federation takes before any application (通知, 方案), from the 运行流程.
    preamble = models.TextField(_("before applications"), blank=True)
    member_required = models.BooleanField(_("names a member"), default=False)
    duty_org = models.ForeignKey(
        "orgs.Org", verbose_name=_("duty catalogue of"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    duty_number = models.CharField(_("duty item number"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["org__tree_id", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="service_type_code_unique"),
        ]
        indexes = [models.Index(fields=["duty_org", "duty_number"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.federation_id is None and self.org_id is not None:
            # By default a type belongs to the federation of its owner's tree.
            self.federation = self.org if self.org.parent_id is None else self.org.get_root()
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.org_id and self.federation_id and self.org.tree_id != self.federation.tree_id:
            raise ValidationError({"org": _("The owner must be a union of the type's federation.")})


class ServiceStep(models.Model):
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("step"))
    name = models.CharField(_("name"), max_length=200)
    actor = models.CharField(_("acts"), max_length=20, choices=Actor.choices)
    # A step routed to the applicant that its reviewer, not its staff, takes (an approval).
    needs_reviewer = models.BooleanField(_("reviewer's approval"), default=False)
    # An outside party (the bank, the insurer) whose result the routed org records.
    outside_party = models.CharField(_("outside party"), max_length=50, blank=True)
    documents = models.CharField(_("documents needed"), max_length=300, blank=True,
                                 help_text=_("Separated by 、"))
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days)"), null=True, blank=True)
    data = models.CharField(_("records"), max_length=20, choices=StepData.choices, blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["service_type", "position"]
        constraints = [
            models.UniqueConstraint(fields=["service_type", "position"], name="service_step_unique"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    @property
    def applicant_fills(self) -> bool:
        """The applicant's staff take this step (submit), not a reviewer."""
        return self.actor == Actor.APPLICANT and not self.needs_reviewer

    @property
    def document_list(self) -> list[str]:
        return [part.strip() for part in self.documents.replace(",", "、").replace("，", "、").split("、")
                if part.strip()]


class CaseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    REJECTED = "rejected", _("rejected")


class Case(models.Model):
    """One application (申请) of one union, optionally for one member."""

    service_type = models.ForeignKey(ServiceType, verbose_name=_("service type"),
                                     on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey("orgs.Org", verbose_name=_("applicant"),
                                  on_delete=models.PROTECT, related_name="service_cases")
    title = models.CharField(_("subject"), max_length=200)
    member_name = models.CharField(_("member"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=text_limits.RECORD_TEXT)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.IN_PROGRESS)
    current_step = models.ForeignKey(ServiceStep, verbose_name=_("current step"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    # The org the current step routes to (services.routing), kept so queues are one query.
    current_org = models.ForeignKey("orgs.Org", verbose_name=_("waiting at"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    awaiting_applicant = models.BooleanField(default=False)
    returned = models.BooleanField(_("returned"), default=False)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The form's one-time token: a double submit finds the case the first one created.
    submit_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Type-specific data: the new union's name, code, members and officers (建会).
    details = models.JSONField(_("details"), default=dict, blank=True)
    aid_granted = models.PositiveIntegerField(_("aid granted (yuan)"), null=True, blank=True)
    aid_paid = models.PositiveIntegerField(_("aid paid (yuan)"), null=True, blank=True)
    outcome = models.TextField(_("result"), blank=True, max_length=text_limits.NOTE)
    new_org = models.ForeignKey("orgs.Org", verbose_name=_("union founded"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    model_worker = models.ForeignKey("services.ModelWorker", verbose_name=_("model worker"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="cases")
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "current_org", "due_at"]),
            models.Index(fields=["applicant", "status"]),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("services:case", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        return f"FW{self.submitted_at:%Y}-{self.pk:06d}" if self.pk else "—"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.IN_PROGRESS


class StepOutcome(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    PASS = "pass", _("approved and passed on")
    RETURN = "return", _("returned")
    REJECT = "reject", _("rejected")
    COMPLETE = "complete", _("completed")


class CaseAction(models.Model):
    """One action on a case: who did what at which step, for which org, when and why."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="actions")
    step = models.ForeignKey(ServiceStep, verbose_name=_("step"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    step_position = models.PositiveSmallIntegerField(_("step"))
    step_name = models.CharField(_("step name"), max_length=200)
    org = models.ForeignKey("orgs.Org", verbose_name=_("acting union"), on_delete=models.PROTECT,
                            related_name="+")
    kind = models.CharField(_("action"), max_length=20, choices=StepOutcome.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("by"), max_length=150)
    comment = models.TextField(_("comment"), blank=True, max_length=text_limits.NOTE)
    data = models.JSONField(_("recorded"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("case action")
        verbose_name_plural = _("case actions")
        ordering = ["case", "created_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.step_position} {self.kind}"


def attachment_path(instance, filename):
    # A random name: the original is kept in ``name`` and never becomes a path.
    return f"services/cases/{instance.case_id}/{uuid.uuid4().hex}"


class CaseAttachment(models.Model):
    """A file attached to an action; stored under MEDIA_ROOT (outside the web root)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="attachments")
    action = models.ForeignKey(CaseAction, verbose_name=_("action"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    # The required document (所需材料) of the step this file provides; blank for other files.
    document = models.CharField(_("required document"), max_length=100, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "id"]

    def __str__(self):
        return self.name


class OfficerRole(models.TextChoices):
    CHAIR = "chair", _("chair")  # 工会主席
    VICE_CHAIR = "vice_chair", _("vice-chair")  # 副主席
    FUNDS_CHAIR = "funds_chair", _("chair of the fund review committee")  # 经审主任
    WOMEN_CHAIR = "women_chair", _("chair of the women workers' committee")  # 女工主任


class Officer(models.Model):
    """An elected officer of a union founded through a 建会 case."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("organisation"), on_delete=models.CASCADE,
                            related_name="founding_officers")
    role = models.CharField(_("office"), max_length=20, choices=OfficerRole.choices)
    name = models.CharField(_("name"), max_length=50)
    elected_on = models.DateField(_("elected"), null=True, blank=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="officers")

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["org", "role", "id"]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


class LegalPersonCertificate(models.Model):
    """工会法人资格证书: recorded when a registration case completes; warned before expiry."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("organisation"), on_delete=models.CASCADE,
                            related_name="legal_person_certificates")
    number = models.CharField(_("certificate number"), max_length=60)
    issued_on = models.DateField(_("issued"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), db_index=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="certificates")

    class Meta:
        verbose_name = _("legal-person certificate")
        verbose_name_plural = _("legal-person certificates")
        ordering = ["expires_on"]

    def __str__(self):
        return self.number
