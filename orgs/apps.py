from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Union tree")

    def ready(self):
        from orgs import checks  # noqa: F401  (the demo-account deploy check)
