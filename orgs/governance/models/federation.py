"""Settings a federation (总工会) keeps for every union of its tree.

The attendance (quorum) thresholds are fractions kept as two integers, so two thirds is exactly
two thirds (no float, no rounded decimal): a workers' congress (职工代表大会) opens only with at
least this share of ALL delegates present (企业民主管理规定); a committee meeting needs MORE than
its share of the members present.  A federation without a row uses the defaults.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.access import ScopedManager
from orgs.models.tree import Org
from unionportal.concurrency import Versioned

DEFAULT_CONGRESS_QUORUM = (2, 3)  # 企业民主管理规定: 应到会职工代表三分之二以上
DEFAULT_COMMITTEE_QUORUM = (1, 2)  # more than half of the members


class FederationRules(Versioned):
    """The rules one federation sets for its tree (the root of a tree: 总工会)."""

    org_path = "org"  # the gate's path to the org that owns the row
    objects = ScopedManager()

    org = models.OneToOneField(Org, verbose_name=_("federation"), on_delete=models.CASCADE,
                               related_name="federation_rules")
    congress_quorum_numerator = models.PositiveSmallIntegerField(
        _("congress quorum: numerator"), default=DEFAULT_CONGRESS_QUORUM[0],
        validators=[MinValueValidator(1)],
        help_text=_("A workers' congress opens only with at least this share of all delegates "
                    "present: numerator / denominator (2 / 3 by default)."))
    congress_quorum_denominator = models.PositiveSmallIntegerField(
        _("congress quorum: denominator"), default=DEFAULT_CONGRESS_QUORUM[1],
        validators=[MinValueValidator(1)])
    committee_quorum_numerator = models.PositiveSmallIntegerField(
        _("committee quorum: numerator"), default=DEFAULT_COMMITTEE_QUORUM[0],
        validators=[MinValueValidator(1)],
        help_text=_("A committee meeting needs more than this share of its members present: "
                    "numerator / denominator (1 / 2 by default)."))
    committee_quorum_denominator = models.PositiveSmallIntegerField(
        _("committee quorum: denominator"), default=DEFAULT_COMMITTEE_QUORUM[1],
        validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "orgs_federationrules"  # kept from before governance was an app
        verbose_name = _("federation rules")
        verbose_name_plural = _("federation rules")
        ordering = ["org__tree_id"]

    def __str__(self):
        return str(self.org)

    def clean(self):
        errors = {}
        for prefix in ("congress", "committee"):
            numerator = getattr(self, f"{prefix}_quorum_numerator")
            denominator = getattr(self, f"{prefix}_quorum_denominator")
            if numerator and denominator and numerator > denominator:
                errors[f"{prefix}_quorum_numerator"] = _("The share cannot be more than the whole.")
        if self.org_id and self.org.parent_id is not None:
            errors["org"] = _("Only a federation at the top of its tree sets these rules.")
        if errors:
            raise ValidationError(errors)

    @property
    def congress_quorum(self) -> tuple[int, int]:
        return self.congress_quorum_numerator, self.congress_quorum_denominator

    @property
    def committee_quorum(self) -> tuple[int, int]:
        return self.committee_quorum_numerator, self.committee_quorum_denominator
