"""Sign-in events in the admin: read-only, for superusers only (they show who signs in
from where)."""

from django.contrib import admin

from unionportal.accounts.models import SignInEvent
from unionportal.admin import ReadOnlyAdminMixin


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "username", "ip_address", "user_agent", "detail")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "kind", "user", "username", "ip_address", "user_agent", "detail")
    exclude = ("session_key",)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

