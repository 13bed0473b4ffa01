"""Admin editing of duty catalogues, scoped like everything else.

Published and superseded versions are read-only; “Start a draft” copies the published
version, the draft's main duties, departments and items are edited here, and “Publish”
makes it the catalogue's published version (the old one stays readable).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from duties import exchange, services
from duties.forms import DutyItemAdminForm
from duties.models import Catalogue, CatalogueVersion, Department, DutyItem, MainDuty, VersionStatus
from orgs.access import Action, scope_queryset
from orgs.admin_scoping import ScopedAdminMixin
from orgs.exchange import import_job_org
from unionportal.admin_import import ExchangeAdminMixin, ExchangeResource


def _draft_versions(request):
    return scope_queryset(CatalogueVersion.objects.filter(status=VersionStatus.DRAFT), request.user,
                          Action.MANAGE, "catalogue__org")


class DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is not None and obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj)

    def has_view_permission(self, request, obj=None):
        return True


class MainDutyInline(DraftOnlyInline):
    model = MainDuty
    fields = ("position", "number", "name")


class DepartmentInline(DraftOnlyInline):
    model = Department
    fields = ("position", "name", "supervision")


@admin.register(Catalogue)
class CatalogueAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "org_code", "published", "draft")
    list_select_related = ("org",)
    search_fields = ("title", "org__code", "org__name")
    fields = ("org", "title")
    actions = ["start_drafts"]

    @admin.display(description=_("code"), ordering="org__code")
    def org_code(self, catalogue):
        return catalogue.org.code

    def get_queryset(self, request):
        # The published and draft columns come with the rows (subqueries), not a query per row.
        def version_of(status, field):
            return Subquery(CatalogueVersion.objects.filter(catalogue=OuterRef("pk"), status=status)
                            .values(field)[:1])

        return super().get_queryset(request).annotate(
            published_number=version_of(VersionStatus.PUBLISHED, "number"),
            draft_pk=version_of(VersionStatus.DRAFT, "pk"),
            draft_number=version_of(VersionStatus.DRAFT, "number"),
        )

    @admin.display(description=_("published"))
    def published(self, catalogue):
        if catalogue.published_number is None:
            return "—"
        return CatalogueVersion(number=catalogue.published_number).label

    @admin.display(description=_("draft"))
    def draft(self, catalogue):
        if catalogue.draft_pk is None:
            return "—"
        url = reverse("admin:duties_catalogueversion_change", args=[catalogue.draft_pk])
        return format_html('<a href="{}">{}</a>', url, CatalogueVersion(number=catalogue.draft_number).label)

    def get_readonly_fields(self, request, obj=None):
        return ("org",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            services.rename_catalogue(actor=request.user, catalogue=obj, title=obj.title)
            return
        catalogue = services.create_catalogue(actor=request.user, org=obj.org, title=obj.title)
        obj.pk = catalogue.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Start a draft (copy of the published version)"))
    def start_drafts(self, request, queryset):
        for catalogue in queryset.select_related("org"):
            draft = services.start_draft(actor=request.user, catalogue=catalogue)
            self.message_user(request, _("%(title)s: %(version)s is the draft.")
                              % {"title": catalogue.title, "version": draft.label}, messages.SUCCESS)


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_org_field = "catalogue__org"
    list_display = ("catalogue", "org_code", "number", "status", "published_at", "items_link")
    list_select_related = ("catalogue__org",)
    list_filter = ("status",)
    search_fields = ("catalogue__org__code", "catalogue__org__name", "title")
    fields = ("catalogue", "number", "status", "title", "note", "created_at", "created_by",
              "published_at", "published_by")
    inlines = [MainDutyInline, DepartmentInline]
    actions = ["publish", "discard"]

    @admin.display(description=_("code"), ordering="catalogue__org__code")
    def org_code(self, version):
        return version.catalogue.org.code

    @admin.display(description=_("duty items"))
    def items_link(self, version):
        url = reverse("admin:duties_dutyitem_changelist") + f"?version__id__exact={version.pk}"
        return format_html('<a href="{}">{}</a>', url, _("items"))

    def get_readonly_fields(self, request, obj=None):
        readonly = ["catalogue", "number", "status", "created_at", "created_by", "published_at", "published_by"]
        if obj is None or obj.status != VersionStatus.DRAFT:
            readonly += ["title", "note"]
        return readonly

    def has_add_permission(self, request):
        return False  # drafts start from a catalogue (“Start a draft”) or from an import

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == VersionStatus.DRAFT)

    def save_model(self, request, obj, form, change):
        if obj.status == VersionStatus.DRAFT and form.changed_data:
            services.set_version_details(actor=request.user, version=obj, title=obj.title, note=obj.note)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in formset.deleted_objects:
            services.delete_part(actor=request.user, instance=instance)
        for instance in instances:
            services.save_part(actor=request.user, instance=instance)

    def delete_model(self, request, obj):
        services.discard_draft(actor=request.user, version=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all the selected drafts, or none
            for version in queryset.filter(status=VersionStatus.DRAFT).select_related("catalogue__org"):
                services.discard_draft(actor=request.user, version=version)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for version in queryset.select_related("catalogue__org"):
            try:
                services.publish_version(actor=request.user, version=version)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("%(title)s: %(version)s is published.")
                                  % {"title": version.title, "version": version.label}, messages.SUCCESS)

    @admin.action(description=_("Discard the selected drafts"))
    def discard(self, request, queryset):
        self.delete_queryset(request, queryset)


class DutyItemResource(ExchangeResource):
    """The duty file (duties.exchange) behind the admin's import and export buttons. An import
    lands as draft versions (published with the versions' “Publish” action)."""

    columns = exchange.COLUMNS
    title = _("Duty catalogues")

    def run_import(self, source, fmt, *, actor, dry_run):
        return exchange.import_duties(source, fmt, actor=actor, dry_run=dry_run, draft=True).report

    def export_rows(self, queryset):
        # The catalogue versions of the filtered items, each with just those items.
        versions = (CatalogueVersion.objects.filter(pk__in=queryset.values("version"))
                    .select_related("catalogue__org").order_by("catalogue__org__tree_id", "catalogue__org__lft")
                    .prefetch_related("main_duties", Prefetch("items", queryset=queryset.order_by("position", "id"))))
        return exchange.export_rows(list(versions))


@admin.register(DutyItem)
class DutyItemAdmin(ExchangeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_org_field = "version__catalogue__org"
    resource_classes = [DutyItemResource]
    import_help = _("Each organisation's rows replace its catalogue, as a draft to publish.")
    form = DutyItemAdminForm
    list_display = ("number", "short_name", "main_duty", "department", "version")
    list_display_links = ("number", "short_name")
    list_select_related = ("version__catalogue__org", "main_duty", "department")
    list_filter = ("version__status",)
    search_fields = ("number", "name", "version__catalogue__org__code", "search_text")
    list_per_page = 100
    show_full_result_count = False

    def import_job_org(self, request):
        return import_job_org(request.user)

    @admin.display(description=_("name"))
    def short_name(self, item):
        return item.name[:60]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"version__id__exact"} or super().lookup_allowed(lookup, value, request)

    def _editable(self, obj):
        return obj is None or obj.version.status == VersionStatus.DRAFT

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        drafts = _draft_versions(request)
        if db_field.name == "version":
            kwargs["queryset"] = drafts.select_related("catalogue")
        elif db_field.name in {"main_duty", "department"}:
            kwargs["queryset"] = db_field.related_model.objects.filter(version__in=drafts)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_item(actor=request.user, item=obj)

    def delete_model(self, request, obj):
        services.delete_item(actor=request.user, item=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all the selected items, or none
            for item in queryset.select_related("version__catalogue__org"):
                services.delete_item(actor=request.user, item=item)
