from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Annual assessment")

    def ready(self):
        from assessment import (
            notifications,
            regrouping,  # noqa: F401  (connects the org-move receiver)
        )

        notifications.connect()  # who is told of each hand-off; the deadline reminders
