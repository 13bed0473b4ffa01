import os

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UnionPortalConfig(AppConfig):
    default = True
    name = "unionportal"
    verbose_name = _("Portal")

    def ready(self):
        from unionportal import checks  # noqa: F401  (registers the system checks)

        # Sign-in: the signal receivers (lockout imports events), the sign-in events' admin.
        # (The demo-account deploy check is the orgs app's: orgs/checks.py.)
        from unionportal.accounts import admin as accounts_admin  # noqa: F401
        from unionportal.accounts import lockout as accounts_lockout  # noqa: F401
        from unionportal.cache_tables import create_cache_tables

        # `migrate` alone makes the database cache's tables (unionportal/shared_stores.py).
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="unionportal-cache-tables")

        # The development server's serving process (the autoreloader's child) warms the PDF
        # renderer off the request path; gunicorn workers do it in unionportal/gunicorn.py.
        if os.environ.get("RUN_MAIN") == "true":
            from unionportal.pdf import warm_up_in_background

            warm_up_in_background()


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on the portal's own site class (roles open it, not is_staff)."""

    default = False
    default_site = "orgs.admin_site.PortalAdminSite"
