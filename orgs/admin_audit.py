"""The audit trail's admin: read-only, scoped to the orgs the user manages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orgs.admin_scoping import ScopedAdminMixin
from unionportal.admin import ReadOnlyAdminMixin
from unionportal.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "acted_by", "action", "object_repr", "org")
    list_select_related = ("actor", "org")
    list_filter = ("action", "by_system")
    search_fields = ("object_repr", "action", "actor__username", "org__code")
    date_hierarchy = "created_at"
    readonly_fields = ["acted_by", *(field.name for field in AuditEntry._meta.fields)]

    @admin.display(description=_("actor"), ordering="actor__username")
    def acted_by(self, entry):
        """The user, or 系统 for an entry the portal wrote itself (seeding, a command, a job)."""
        return entry.actor_label or "-"
