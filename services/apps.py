from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Member services")

    def ready(self):
        from services import notifications

        notifications.connect()  # a case routed reaches its handlers
