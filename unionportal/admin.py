"""Admin pieces shared by every app: the scoping mixin and the audit-trail admin."""

from django.contrib import admin
from django.http import Http404

from unionportal.admin_site import manages_anything
from unionportal.models import AuditEntry
from unionportal.scoping import Action, scope_orgs, scope_queryset


class ScopedAdminMixin:
    """Routes every admin read through the scoping gate; anything outside it answers 404.

    ``scope_org_field`` is the path from the model to its org ("" for the Org model itself).
    """

    scope_org_field = "org"
    scope_action = Action.MANAGE

    def scope(self, request, queryset):
        if self.scope_org_field:
            return scope_queryset(queryset, request.user, self.scope_action, self.scope_org_field)
        return scope_orgs(queryset, request.user, self.scope_action)

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return manages_anything(request)

    def has_view_permission(self, request, obj=None):
        return manages_anything(request)

    def has_add_permission(self, request):
        return manages_anything(request)

    def has_change_permission(self, request, obj=None):
        return manages_anything(request)

    def has_delete_permission(self, request, obj=None):
        return manages_anything(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from orgs.models import Org

        if db_field.related_model is Org:
            kwargs["queryset"] = scope_orgs(Org.objects.all(), request.user, self.scope_action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with a message; outside the scope we promise a 404.
        raise Http404


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "org")
    list_select_related = ("actor", "org")
    list_filter = ("action",)
    search_fields = ("object_repr", "action", "actor__username", "org__code")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
