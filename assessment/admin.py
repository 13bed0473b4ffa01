"""The assessment in the admin: templates (factors editable), sheets and 会员评家 read-only.

Every write goes through a service, so the audit trail records it; sheets and their scores
change only through the workflow pages, never by hand in the admin.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessment import selectors, services
from assessment.exchange import TEMPLATE_COLUMNS, import_templates, template_export_rows
from assessment.models import (
    EvaluationRating,
    Indicator,
    MemberEvaluation,
    Rectification,
    Round,
    Sheet,
    Template,
    Unit,
)
from assessment.services.transitions import TRANSITIONS
from orgs.admin_scoping import ScopedAdminMixin, ScopedRelatedOnlyFieldListFilter
from orgs.exchange import import_job_org
from unionportal.admin import ReadOnlyAdminMixin, ReadOnlyInline
from unionportal.admin_import import ExchangeAdminMixin, ExchangeResource

FACTOR_FIELDS = ("full_factor", "basic_factor", "none_factor", "docs_penalty")


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ("number", "section", "name", "weight", "content", "rule_text")
    readonly_fields = fields


class TemplateResource(ExchangeResource):
    """The template file (assessment.exchange) behind the admin's import and export buttons."""

    columns = TEMPLATE_COLUMNS
    title = _("Assessment templates")

    def run_import(self, source, fmt, *, actor, dry_run):
        return import_templates(source, fmt, actor=actor, dry_run=dry_run)

    def export_rows(self, queryset):
        return template_export_rows(queryset)


@admin.register(Template)
class TemplateAdmin(ExchangeAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_org_field = "assessor"
    resource_classes = [TemplateResource]
    import_help = _("Each assessor, year and assessee set is one template; a template that exists "
                    "is replaced, unless its round already has sheets.")
    list_display = ("year", "title", "assessor", "assessee_rule", "source")
    list_filter = ("year", ("assessor", ScopedRelatedOnlyFieldListFilter))
    list_select_related = ("assessor",)
    search_fields = ("title", "assessor__name", "assessor__code")
    readonly_fields = ("assessor", "year", "title", "assessee_rule", "assessee_kind", "headers", "copied_from",
                       "source", "warnings")
    fields = ("assessor", "year", "title", "assessee_rule", "assessee_kind", "headers", "copied_from",
              "source", "warnings", *FACTOR_FIELDS)
    inlines = [IndicatorInline]
    actions = ["copy_to_next_year"]

    def import_job_org(self, request):
        return import_job_org(request.user)

    def has_add_permission(self, request):
        return False  # templates come from files: the import button or import_assessment_template

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        return "\n".join(selectors.template_warnings(obj)) or "—"

    def save_model(self, request, obj, form, change):
        factors = {name: form.cleaned_data[name] for name in FACTOR_FIELDS if name in form.changed_data}
        try:
            services.update_template_factors(actor=request.user, template=obj, **factors)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))

    def save_formset(self, request, form, formset, change):
        pass  # indicators are read-only here

    def delete_model(self, request, obj):
        try:
            services.delete_template(actor=request.user, template=obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: one audited service call per template.
        for template in queryset.select_related("assessor"):
            self.delete_model(request, template)

    @admin.action(description=_("Copy to the next year"))
    def copy_to_next_year(self, request, queryset):
        for template in queryset:
            try:
                services.copy_template(actor=request.user, template=template, year=template.year + 1)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))


@admin.register(Round)
class RoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_org_field = "assessor"
    list_display = ("year", "assessor", "deadline", "opened_at")
    list_select_related = ("assessor",)
    readonly_fields = ("assessor", "year", "deadline", "opened_at", "opened_by", "is_demo")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a round's sheets are its record; rounds change only through the services


class UnitInline(ReadOnlyInline):
    model = Unit
    fields = ("seq", "points", "self_grade", "self_docs", "self_score", "review_grade", "review_docs",
              "final_score", "returned", "return_reason")
    readonly_fields = fields


@admin.register(Sheet)
class SheetAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_org_field = "org"
    list_display = ("year", "org", "assessor", "status", "self_total", "final_total", "version")
    list_filter = ("year", "status", ("assessor", ScopedRelatedOnlyFieldListFilter))
    list_select_related = ("org", "assessor")
    search_fields = ("org__name", "org__code")
    show_full_result_count = False
    readonly_fields = ("id", "round", "template", "org", "assessor", "year", "group", "status", "version",
                       "submissions", "self_total", "final_total", "indicator_scores", "submitted_at",
                       "reviewed_at", "scored_at", "finalised_at", "updated_at", "next_steps")
    inlines = [UnitInline]

    @admin.display(description=_("next steps"))
    def next_steps(self, obj):
        """The workflow steps that lead on from the sheet's state (the transition table); they are
        taken on the sheet's page, by the roles the table names."""
        return "、".join(str(t.label) for t in TRANSITIONS.values() if obj.status in t.sources) or "—"


class RatingInline(ReadOnlyInline):
    model = EvaluationRating
    fields = ("subject", "person", "content_number", "content", "satisfied", "basically_satisfied", "dissatisfied")
    readonly_fields = fields


class RectificationInline(ReadOnlyInline):
    model = Rectification
    fields = ("issue", "measure", "outcome", "completed", "reported_on")
    readonly_fields = fields


@admin.register(MemberEvaluation)
class MemberEvaluationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read here; recorded on the union's assessment page through the services (the union's
    staff record the evaluation, its ratings, publication and rectifications; only the
    superior union records its approval of a lower ratio).  Deletes go through a service."""

    scope_org_field = "org"
    list_display = ("year", "org", "members", "participants", "frontline_participants", "valid")
    list_select_related = ("org",)
    list_filter = ("year",)
    search_fields = ("org__name", "org__code")
    inlines = [RatingInline, RectificationInline]

    @admin.display(description=_("valid"), boolean=True)
    def valid(self, obj):
        return obj.is_valid

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.delete_member_evaluation(actor=request.user, evaluation=obj)

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: one audited service call per evaluation.
        for evaluation in queryset.select_related("org"):
            self.delete_model(request, evaluation)
