"""The union tree (工会组织树) and the grants that scope who sees which part of it."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.fields import TreeForeignKey
from mptt.managers import TreeManager
from mptt.querysets import TreeQuerySet

from orgs.access import Action, ScopedManager, scope_orgs
from orgs.roles import ROLE_FILE_NAMES, Role  # noqa: F401  (the roles, keyed by the gate)
from unionportal.concurrency import Versioned
from unionportal.tree import TreeNode

# Codes appear in URLs such as /duties/<code>.pdf, so no dots; lower case for stable links.
CODE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE_MAX_LENGTH = 40
NAME_MAX_LENGTH = 100
code_validator = RegexValidator(
    CODE_PATTERN,
    _("Use lower-case letters, digits and single hyphens (for example zz-jy)."),
)


class OrgKind(models.TextChoices):
    FEDERATION = "federation", _("federation")  # 总工会 (市/区/县)
    SYSTEM = "system", _("system union")  # 系统/产业工会
    STREET = "street", _("street union")  # 街道/乡镇工会
    BASE = "base", _("base union")  # 基层工会


# The kind names the import files use (interfaces.md), beside the English keys.
KIND_FILE_NAMES = {
    "总工会": OrgKind.FEDERATION,
    "系统工会": OrgKind.SYSTEM,
    "街道工会": OrgKind.STREET,
    "基层工会": OrgKind.BASE,
}
KIND_FILE_LABELS = {kind: label for label, kind in KIND_FILE_NAMES.items()}


class OrgQuerySet(TreeQuerySet):
    def visible_to(self, user, action=Action.VIEW):
        """The orgs ``user`` may reach with ``action`` (orgs.access: one query, an EXISTS)."""
        return scope_orgs(self, user, action)

    def resolve(self, reference: str):
        """Orgs a file or command may mean by ``reference``: its code, else a unique name/alias."""
        reference = (reference or "").strip()
        by_code = self.filter(code=reference)
        if by_code.exists():
            return by_code
        return self.filter(
            Q(name=reference) | Q(short_name=reference) | Q(aliases__name=reference)
        ).distinct()


class OrgManager(TreeManager.from_queryset(OrgQuerySet)):
    def partial_rebuild(self, tree_id, batch_size=1000, **filters):
        """Used by ``delay_mptt_updates()`` (bulk imports): the linear rebuild of one tree."""
        from unionportal.tree import rebuild_tree

        rebuild_tree(self.model, tree_id)


class Org(TreeNode, Versioned):
    """A union in the federation tree: 总工会, 系统工会, 街道工会 or 基层工会."""

    code = models.CharField(
        _("code"),
        max_length=CODE_MAX_LENGTH,
        unique=True,
        validators=[code_validator],
        help_text=_("Stable identifier used in links and files, e.g. zz-jy."),
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    # PROTECT: deleting a union with children would silently drop its whole subtree.
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    short_name = models.CharField(_("short name"), max_length=50, blank=True)  # 简称
    members = models.PositiveIntegerField(_("members"), null=True, blank=True)  # 会员数
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)  # 职工数
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # An inactive org (a dissolved enterprise) keeps its records and stays in the tree.
    is_active = models.BooleanField(_("active"), default=True)
    # 企业工会: a base union of an enterprise, which consults collectively (集体协商) each year;
    # a government-office (机关) or public-institution union does not.
    is_enterprise = models.BooleanField(
        _("enterprise union"), default=True,
        help_text=_("A base union of an enterprise: it holds collective consultation (集体协商) "
                    "each year. Clear it for a government-office (机关) union."))
    # Demo data (示例) created by `seed --demo`, never by the source documents.
    is_demo = models.BooleanField(_("demo"), default=False)
    # ``version`` (Versioned): a save based on an older version is refused, not merged.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgManager()

    class Meta(TreeNode.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["tree_id", "lft"]

    class MPTTMeta:
        parent_attr = "parent"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orgs:detail", kwargs={"code": self.code})


class OrgAlias(models.Model):
    """Another name a document uses for an org (简称, 别名): 市卫生系统工会 for zz-ws."""

    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("alias"), max_length=NAME_MAX_LENGTH, db_index=True)

    org_path = "org"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="org_alias_unique"),
        ]

    def __str__(self):
        return self.name


class Grant(models.Model):
    """One user × one role × one org.  What it covers is decided in orgs.access."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="grants"
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    org_path = "org"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org"], name="grant_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.org}"
