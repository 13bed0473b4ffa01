"""Admin pieces any app may use that know nothing of orgs (the scoped ones: orgs/admin_scoping.py)."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """For records that change only through their services (rules, audit): the admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent record, never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
