"""Duty catalogues (职责清单 / 权责清单): one catalogue per org, published in versions.

- ``Catalogue``: the org's catalogue (one per org; a union's several duty lists, such as the
  street union's committee, chair and office lists, are its sections: ``MainDuty`` rows).
- ``CatalogueVersion``: a draft, the published version, or a superseded one.  Published and
  superseded versions are immutable (services refuse to edit them; the admin shows them
  read-only); editing starts a draft copied from the published version.
- ``MainDuty`` (主要职责): the optional grouping of items, or one duty list of a union.
- ``Department`` (实施机构) with its 监督方式, kept once per department and version.
- ``DutyItem`` (职责事项): every field of seed 001's duty card; plain numbered duties leave
  the optional fields empty.
"""

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duties.content import (
    join_legal_basis,
    join_responsibilities,
    split_legal_basis,
    split_responsibilities,
)
from orgs.models import Org
from unionportal import text_limits


def normalise(text: str) -> str:
    """The form search compares: NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


class Catalogue(models.Model):
    org = models.OneToOneField(
        Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="duty_catalogue"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("duty catalogue")
        verbose_name_plural = _("duty catalogues")
        ordering = ["org__tree_id", "org__lft"]

    def __str__(self):
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    SUPERSEDED = "superseded", _("superseded")


class CatalogueVersion(models.Model):
    catalogue = models.ForeignKey(
        Catalogue, verbose_name=_("duty catalogue"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True, max_length=text_limits.NOTE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        ordering = ["catalogue", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="duty_version_number_unique"),
            models.UniqueConstraint(fields=["catalogue"], condition=Q(status="draft"),
                                    name="duty_version_one_draft"),
            models.UniqueConstraint(fields=["catalogue"], condition=Q(status="published"),
                                    name="duty_version_one_published"),
        ]

    def __str__(self):
        return f"{self.title} · {self.label}"

    @property
    def label(self) -> str:
        return _("version %(number)d") % {"number": self.number}

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class MainDuty(models.Model):
    """主要职责: a heading the items are grouped under (or one duty list of a union)."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="main_duties")
    number = models.CharField(_("number"), max_length=20, blank=True)
    name = models.TextField(_("main duty"), max_length=text_limits.DUTY_TEXT)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("main duty")
        verbose_name_plural = _("main duties")
        ordering = ["version", "position", "id"]

    def __str__(self):
        return f"{self.number}、{self.name}" if self.number else self.name


class Department(models.Model):
    """实施机构: a department of the org, with its 监督方式 kept once."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("department"), max_length=100)
    supervision = models.TextField(_("supervision"), blank=True, max_length=text_limits.NOTE,
                                   help_text=_("Phone, email and address, one per line."))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="duty_department_unique"),
        ]

    def __str__(self):
        return self.name


class DutyItem(models.Model):
    """职责事项: one duty with the fields of the official duty card (seed 001)."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="items")
    main_duty = models.ForeignKey(MainDuty, verbose_name=_("main duty"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("number"), max_length=20)
    name = models.TextField(_("name"), max_length=text_limits.DUTY_TEXT)
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)  # list of laws
    # The cell as the document writes it (its own 和, ；, 《…》《…》), where that differs from the
    # list re-joined; printed and exported instead of the list.
    legal_basis_text = models.TextField(_("legal basis as written"), blank=True,
                                        max_length=text_limits.DUTY_TEXT)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="items")
    boundary = models.TextField(_("boundary"), blank=True, max_length=text_limits.DUTY_TEXT)
    workflow_text = models.TextField(_("workflow"), blank=True, max_length=text_limits.DUTY_TEXT)  # the cell as written
    workflows = models.JSONField(_("workflow steps"), default=list, blank=True)  # [{title, steps}]
    documents = models.JSONField(_("required documents"), default=list, blank=True)
    responsibilities = models.JSONField(_("responsibilities"), default=list, blank=True)
    # The cell as written (its own numbering 1、 1．), where it differs from the list numbered.
    responsibilities_text = models.TextField(_("responsibilities as written"), blank=True,
                                             max_length=text_limits.DUTY_TEXT)
    # Only where it differs from the department's 监督方式.
    supervision = models.TextField(_("supervision"), blank=True, max_length=text_limits.DUTY_TEXT)
    aliases = models.JSONField(_("other wordings"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # number, name, wordings, basis and content, normalised (see ``normalise``); searched with
    # a substring match, which a trigram index speeds up on PostgreSQL (migration 0002).
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("duty item")
        verbose_name_plural = _("duty items")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "main_duty", "number"],
                                    name="duty_item_number_unique"),
            models.UniqueConstraint(fields=["version", "number"], condition=Q(main_duty__isnull=True),
                                    name="duty_item_number_unique_ungrouped"),
        ]

    def __str__(self):
        return f"{self.number} {self.name[:60]}"

    def build_search_text(self) -> str:
        parts = [self.number, self.name, *self.aliases, *self.legal_basis, self.boundary,
                 self.workflow_text, *self.documents, *self.responsibilities]
        return normalise("\n".join(part for part in parts if part))

    @property
    def has_card(self) -> bool:
        """Whether the item carries the duty-card fields of seed 001 (printed as a card)."""
        return bool(self.legal_basis or self.department_id or self.boundary or self.workflows
                    or self.documents or self.responsibilities or self.supervision)

    @property
    def legal_basis_printed(self) -> str:
        """法定依据 as the document writes it, else the list joined by 、 (or one per line)."""
        return self.legal_basis_text or join_legal_basis(self.legal_basis)

    @property
    def responsibilities_printed(self) -> str:
        """责任事项 as the document writes it, else the list numbered 1. 2. …"""
        return self.responsibilities_text or join_responsibilities(self.responsibilities)

    def drop_stale_written_text(self) -> None:
        """Forget the text as written once the list was edited and no longer matches it."""
        if self.legal_basis_text and split_legal_basis(self.legal_basis_text) != tuple(self.legal_basis):
            self.legal_basis_text = ""
        if (self.responsibilities_text
                and split_responsibilities(self.responsibilities_text) != tuple(self.responsibilities)):
            self.responsibilities_text = ""

    @property
    def effective_supervision(self) -> str:
        if self.supervision:
            return self.supervision
        return self.department.supervision if self.department_id else ""
