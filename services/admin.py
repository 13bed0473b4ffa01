"""The services admin: service types with their steps, rates, the register, funds and rounds;
every list scoped through the gate (admins see their subtree; outside answers 404)."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orgs.access import scope_queryset
from orgs.admin_scoping import ScopedAdminMixin, ScopedRelatedOnlyFieldListFilter
from orgs.exchange import import_job_org
from services.exchange import COLUMNS as MODEL_WORKER_COLUMNS
from services.exchange import export_rows as export_model_worker_rows
from services.exchange import import_model_workers
from services.models import (
    BudgetRate,
    Case,
    CaseAction,
    FundRecord,
    LegalPersonCertificate,
    ModelWorker,
    MutualAidRound,
    ServiceStep,
    ServiceType,
)
from unionportal import audit
from unionportal.admin import ReadOnlyAdminMixin, ReadOnlyInline
from unionportal.admin_import import ExchangeAdminMixin, ExchangeResource

TYPE_FIELDS = ["federation", "code", "name", "kind", "description", "preamble", "member_required", "duty_org",
               "duty_number", "is_active", "position"]
STEP_FIELDS = ["position", "name", "actor", "needs_reviewer", "outside_party", "documents",
               "deadline_days", "data"]


class AuditedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Admin edits are audited like every other write."""

    audit_fields: list[str] = []
    autocomplete_fields = ("org",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = None
            if change:
                before = audit.snapshot(type(obj).objects.get(pk=obj.pk), self.audit_fields or None)
            super().save_model(request, obj, form, change)
            audit.record(actor=request.user, action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
                         instance=obj, org=self.org_of(obj), before=before,
                         after=audit.snapshot(obj, self.audit_fields or None))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(actor=request.user, action=f"{obj._meta.model_name}.delete", instance=obj,
                         org=self.org_of(obj), before=audit.snapshot(obj, self.audit_fields or None))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # "Delete selected" deletes in bulk (queryset.delete()), which would skip the audit:
        # delete row by row, each audited, all or nothing.
        with transaction.atomic():
            rows = (self.model._default_manager.filter(pk__in=queryset.values("pk"))
                    .select_related("org").select_for_update(of=("self",)))
            for obj in rows:
                self.delete_model(request, obj)

    def org_of(self, obj):
        return obj.org


class ServiceStepInline(admin.TabularInline):
    model = ServiceStep
    extra = 0
    fields = STEP_FIELDS


@admin.register(ServiceType)
class ServiceTypeAdmin(AuditedAdmin):
    list_display = ("name", "federation", "org", "kind", "duty_org", "duty_number", "is_active",
                    "position")
    list_select_related = ("org", "federation", "duty_org")
    list_filter = ("kind", "is_active", ("org", ScopedRelatedOnlyFieldListFilter))
    search_fields = ("name", "code", "org__name", "org__code")
    inlines = [ServiceStepInline]
    audit_fields = ["org", *TYPE_FIELDS]
    fields = ["org", *TYPE_FIELDS, "shared_with", "source"]
    readonly_fields = ("source",)
    filter_horizontal = ("shared_with",)

    def save_related(self, request, form, formset, change):
        # Sharing with another federation offers the type to its unions: audited like the rest.
        with transaction.atomic():
            before = sorted(form.instance.shared_with.values_list("code", flat=True)) if change else []
            super().save_related(request, form, formset, change)
            after = sorted(form.instance.shared_with.values_list("code", flat=True))
            if before != after:
                audit.record(actor=request.user, action="service_type.shared_with",
                             instance=form.instance, org=form.instance.org, before=before, after=after)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            before = [audit.snapshot(s, STEP_FIELDS) for s in form.instance.steps.all()]
            super().save_formset(request, form, formset, change)
            after = [audit.snapshot(s, STEP_FIELDS) for s in form.instance.steps.all()]
            if before != after:
                audit.record(actor=request.user, action="service_type.steps", instance=form.instance,
                             org=form.instance.org, before=before, after=after)


@admin.register(BudgetRate)
class BudgetRateAdmin(AuditedAdmin):
    list_display = ("org", "year", "allowance_one", "allowance_two", "allowance_three", "health_check")
    list_select_related = ("org",)
    list_filter = ("year",)
    audit_fields = ["org", "year", "allowance_one", "allowance_two", "allowance_three", "health_check"]


class ModelWorkerResource(ExchangeResource):
    """The model-worker register (services.exchange) behind the admin's import and export buttons."""

    columns = MODEL_WORKER_COLUMNS
    title = _("Model workers")

    def run_import(self, source, fmt, *, actor, dry_run):
        return import_model_workers(source, fmt, actor=actor, dry_run=dry_run)

    def export_rows(self, queryset):
        return export_model_worker_rows(queryset)


@admin.register(ModelWorker)
class ModelWorkerAdmin(ExchangeAdminMixin, AuditedAdmin):
    resource_classes = [ModelWorkerResource]
    import_help = _("A person already on the register (name, ID tail and work unit) is updated.")
    list_display = ("name", "id_tail", "org", "level", "honours", "first_year", "retired", "alive")
    list_select_related = ("org",)
    list_filter = ("level", "retired", "alive", "org__is_active")
    search_fields = ("name", "id_tail", "org__name", "org__code")
    list_per_page = 100
    audit_fields = ["name", "id_tail", "org", "level", "honours", "first_year", "retired", "alive"]

    def import_job_org(self, request):
        return import_job_org(request.user)


@admin.register(FundRecord)
class FundRecordAdmin(AuditedAdmin):
    list_display = ("org", "year", "payroll", "received")
    list_select_related = ("org",)
    list_filter = ("year",)
    search_fields = ("org__name", "org__code")
    audit_fields = ["org", "year", "payroll", "received"]


@admin.register(MutualAidRound)
class MutualAidRoundAdmin(AuditedAdmin):
    list_display = ("name", "org", "year", "raised", "paid", "status", "compliant")
    list_select_related = ("org",)
    list_filter = ("year", "status")
    readonly_fields = ("status", "compliant", "closed_at", "closed_by")
    audit_fields = ["org", "year", "name", "raised", "paid"]
    fields = ("org", "year", "name", "raised", "paid", "status", "compliant", "closed_at", "closed_by")

    def get_readonly_fields(self, request, obj=None):
        # A closed round keeps its figures: it was judged on them.
        if obj is not None and obj.status == "closed":
            return ("org", "year", "name", "raised", "paid", *self.readonly_fields)
        return self.readonly_fields


@admin.register(LegalPersonCertificate)
class LegalPersonCertificateAdmin(AuditedAdmin):
    list_display = ("number", "org", "issued_on", "expires_on")
    list_select_related = ("org",)
    search_fields = ("number", "org__name", "org__code")
    date_hierarchy = "expires_on"
    audit_fields = ["org", "number", "issued_on", "expires_on"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The certificate's case: only cases of the admin's subtree (the mixin scopes orgs only).
        if db_field.name == "case":
            kwargs["queryset"] = scope_queryset(Case.objects.all(), request.user, self.scope_action, "applicant")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CaseActionInline(ReadOnlyInline):
    model = CaseAction
    fields = ("created_at", "step_position", "step_name", "org", "kind", "actor_name", "comment")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: cases change through their workflow page, never by editing rows."""

    scope_org_field = "applicant"
    list_display = ("__str__", "service_type", "applicant", "status", "current_org", "submitted_at")
    list_select_related = ("service_type", "applicant", "current_org")
    list_filter = ("status", "service_type__kind")
    search_fields = ("title", "member_name", "applicant__name", "applicant__code")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    inlines = [CaseActionInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Case._meta.fields]
