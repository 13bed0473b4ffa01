"""The scoping gate in the admin: every app's ModelAdmin of org-owned rows uses these."""

from django.contrib import admin
from django.db.models import Q
from django.http import Http404

from orgs.access import Action, scope_orgs, scope_queryset
from orgs.admin_site import manages_anything


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


class ScopedRelatedOnlyFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """A list filter on a foreign key to ``Org``: the orgs present in the admin's (scoped) rows
    *and* inside the user's scope for the admin's ``scope_action``.

    ``RelatedOnlyFieldListFilter`` alone offers every org the visible rows point to, which for
    a field other than the scoping one (a sheet's assessor, say) names orgs outside the scope.
    """

    def field_choices(self, field, request, model_admin):
        from orgs.models import Org

        if field.related_model is not Org:
            return super().field_choices(field, request, model_admin)
        present = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        action = getattr(model_admin, "scope_action", Action.VIEW)
        scoped = scope_orgs(Org.objects.all(), request.user, action).values("pk")
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=Q(pk__in=present) & Q(pk__in=scoped),
                                 ordering=ordering)
