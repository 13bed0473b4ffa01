from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """The union's own governance (seed 004): an app of its own inside the orgs room."""

    name = "orgs.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from orgs.governance import notifications

        notifications.connect()  # the daily check of rules about to be broken
