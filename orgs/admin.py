from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orgs import (
    admin_audit,  # noqa: F401  (registers the audit trail's admin)
    selectors,
    services,
)
from orgs.access import Action, can, scope_orgs
from orgs.admin_scoping import ScopedAdminMixin
from orgs.admin_site import manages_anything
from orgs.exchange import COLUMNS, export_rows, import_job_org, import_orgs
from orgs.forms import OPTIMISTIC_FIELD, OrgAdminForm, UserWithGrantCreationForm
from orgs.models import Grant, Org, OrgAlias
from orgs.services import ORG_FIELDS
from unionportal import audit
from unionportal.admin_import import ExchangeAdminMixin, ExchangeResource


class OrgAliasInline(admin.TabularInline):
    model = OrgAlias
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A tabular row's inputs have no <label> (the column heading is not one): name them.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name))
        return field


class OrgResource(ExchangeResource):
    """The org file (orgs.exchange) behind the admin's import and export buttons."""

    columns = COLUMNS
    title = _("Organisations")

    def run_import(self, source, fmt, *, actor, dry_run):
        return import_orgs(source, fmt, actor=actor, dry_run=dry_run)

    def export_rows(self, queryset):
        return export_rows(queryset)


@admin.register(Org)
class OrgAdmin(ExchangeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """A flat, paginated changelist: fast with thousands of base unions (no drag-and-drop tree)."""

    scope_org_field = ""
    resource_classes = [OrgResource]
    import_help = _("A known code updates that organisation.")
    form = OrgAdminForm
    list_display = ("code", "indented_name", "kind", "parent_code", "members", "workers", "is_active", "is_demo")
    list_display_links = ("code", "indented_name")
    list_select_related = ("parent",)
    list_filter = ("kind", "is_enterprise", "is_active", "is_demo")
    search_fields = ("code", "name", "short_name", "aliases__name")
    list_per_page = 100
    show_full_result_count = False
    ordering = ("tree_id", "lft")
    autocomplete_fields = ("parent",)
    inlines = [OrgAliasInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "parent", "short_name", "is_enterprise", "is_active",
                           "is_demo")}),
        (_("Size"), {"fields": ("members", "workers")}),
        (_("Contact"), {"fields": ("contact_person", "phone", "email", "address")}),
        (None, {"fields": (OPTIMISTIC_FIELD,), "classes": ("hidden",)}),
    )

    def import_job_org(self, request):
        return import_job_org(request.user)

    @admin.display(description=_("name"), ordering="lft")
    def indented_name(self, org):
        # Classes from css/proportions.css: the Content-Security-Policy forbids style attributes.
        return format_html('<span class="indent-{} nowrap">{}</span>', min(org.level * 3 // 2, 12), org.name)

    @admin.display(description=_("parent union"), ordering="parent__code")
    def parent_code(self, org):
        return org.parent.code if org.parent_id else "—"

    def get_readonly_fields(self, request, obj=None):
        # The admin of an org manages it, not its parent: the org stays where it is.
        if obj is not None and obj.parent_id and not can(request.user, Action.MANAGE, obj.parent):
            return ("parent",)
        return ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Only a superuser starts a new tree; everyone else places orgs inside their subtree.
        if "parent" in form.base_fields:
            form.base_fields["parent"].required = not request.user.is_superuser
        return form

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in ORG_FIELDS}
        if change:
            updated = services.update_org(
                actor=request.user, org=obj, expected_version=form.cleaned_data.get(OPTIMISTIC_FIELD), **fields
            )
            obj.version = updated.version
        else:
            parent = form.cleaned_data.get("parent")
            values = {k: v for k, v in form.cleaned_data.items() if k in ORG_FIELDS and k != "parent"}
            created = services.create_org(actor=request.user, parent=parent, **values)
            obj.pk, obj.version = created.pk, created.version
            obj._state.adding = False
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.delete_org(actor=request.user, org=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for org in queryset.order_by("-level"):
                services.delete_org(actor=request.user, org=org)

    # Import and export: whoever the gate lets manage some org (Action.MANAGE); both are
    # scoped to the orgs they manage (the import resolves codes among them, the export lists them).
    def has_import_permission(self, request):
        return manages_anything(request)

    def has_export_permission(self, request):
        return manages_anything(request)



@admin.register(Grant)
class GrantAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "org_code", "org", "created_at")
    list_select_related = ("user", "org")
    list_filter = ("role", ("org", RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "org__code", "org__name")
    autocomplete_fields = ("user", "org")
    fields = ("user", "role", "org")

    @admin.display(description=_("code"), ordering="org__code")
    def org_code(self, grant):
        return grant.org.code

    def has_change_permission(self, request, obj=None):
        # A grant is given or taken back, never edited in place (the audit shows both).
        return obj is None and manages_anything(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = selectors.manageable_users(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        grant, _created = services.grant_role(actor=request.user, user=obj.user, role=obj.role, org=obj.org)
        obj.pk = grant.pk

    def delete_model(self, request, obj):
        services.revoke_grant(actor=request.user, grant=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for grant in queryset.select_related("user", "org"):
                services.revoke_grant(actor=request.user, grant=grant)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Superusers manage every account; an org admin manages the accounts granted in its subtree."""

    add_form = UserWithGrantCreationForm
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    limited_add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role", "org")}),)
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=selectors.manageable_users(request.user))

    def has_module_permission(self, request):
        return manages_anything(request)

    def has_view_permission(self, request, obj=None):
        return manages_anything(request)

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            if obj is None:
                return self.limited_add_fieldsets
            return super().get_fieldsets(request, obj)
        return self.limited_add_fieldsets if obj is None else self.limited_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.base_fields["org"].queryset = scope_orgs(Org.objects.all(), request.user, Action.MANAGE)
        return form

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def user_change_password(self, request, id, form_url=""):
        # Out-of-scope accounts answer 404 here too (Django would only check permissions).
        if self.get_object(request, id) is None:
            raise Http404
        return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if request.resolver_match and request.resolver_match.url_name == "auth_user_password_change":
            audit.record(actor=request.user, action="user.password", instance=obj)
        return entry

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.USER_FIELDS}
            with transaction.atomic():
                services.update_user(actor=request.user, user=obj, **fields)
                if request.user.is_superuser:
                    # Superusers also edit staff/superuser flags, groups and permissions here.
                    super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            user = services.create_user(actor=request.user, username=obj.username,
                                        password=form.cleaned_data["password1"])
            try:
                services.grant_role(actor=request.user, user=user, role=form.cleaned_data["role"],
                                    org=form.cleaned_data["org"])
            except ValidationError as exc:
                raise PermissionDenied from exc
            obj.pk = user.pk
            obj._state.adding = False
            obj.refresh_from_db()
