"""The governance records in the admin, scoped to the admin's subtree (ScopedAdminMixin).

Records are kept through the governance pages, where the services check the rules; the admin
lets an administrator read and correct them.  Outcomes and frozen counts are read-only.
"""

from django.contrib import admin
from django.db import transaction

from orgs.admin_scoping import ScopedAdminMixin, ScopedRelatedOnlyFieldListFilter
from orgs.governance import quorum
from orgs.governance.models import (
    CommitteeMember,
    CommitteeTerm,
    Congress,
    CongressSession,
    Consultation,
    Delegate,
    Expense,
    ExpenseLimits,
    FederationRules,
    Meeting,
    Motion,
    SessionAttendee,
    SpecialCommittee,
)
from unionportal.admin import ReadOnlyAdminMixin


class ReadOnlyRecordAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Writes go through orgs.governance.services (rules and audit); the admin reads."""


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyRecordAdmin):
    list_display = ("date", "kind", "org", "chaired_by")
    list_select_related = ("org",)
    list_filter = ("kind", ("org", ScopedRelatedOnlyFieldListFilter))
    search_fields = ("org__code", "org__name", "agenda")
    date_hierarchy = "date"
    exclude = ("minutes",)


class DelegateInline(admin.TabularInline):
    model = Delegate
    extra = 0
    fields = ("name", "unit", "basis", "start", "end", "ended_on", "end_reason")


@admin.register(Congress)
class CongressAdmin(ReadOnlyRecordAdmin):
    list_display = ("__str__", "kind", "org")
    list_select_related = ("org",)
    list_filter = ("kind", ("org", ScopedRelatedOnlyFieldListFilter))
    search_fields = ("org__code", "org__name", "name")
    inlines = [DelegateInline]


class AttendeeInline(admin.TabularInline):
    model = SessionAttendee
    extra = 0


class MotionInline(admin.TabularInline):
    model = Motion
    extra = 0
    fields = ("number", "title", "votes_for", "votes_against", "abstentions", "delegates_total", "outcome")


@admin.register(CongressSession)
class CongressSessionAdmin(ReadOnlyRecordAdmin):
    scope_org_field = "congress__org"
    list_display = ("date", "title", "congress", "delegates_total")
    list_select_related = ("congress__org",)
    search_fields = ("title", "congress__org__code", "congress__org__name")
    date_hierarchy = "date"
    inlines = [AttendeeInline, MotionInline]


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0


@admin.register(SpecialCommittee)
class SpecialCommitteeAdmin(ReadOnlyRecordAdmin):
    scope_org_field = "congress__org"
    list_display = ("kind", "congress")
    list_select_related = ("congress__org",)
    list_filter = ("kind",)
    inlines = [CommitteeMemberInline]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyRecordAdmin):
    list_display = ("org", "year", "date", "employer", "contract_signed_on", "contract_valid_until")
    list_select_related = ("org",)
    list_filter = ("year", ("org", ScopedRelatedOnlyFieldListFilter))
    search_fields = ("org__code", "org__name", "employer")


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(ReadOnlyRecordAdmin):
    list_display = ("org", "number", "start", "end", "chair")
    list_select_related = ("org",)
    list_filter = (("org", ScopedRelatedOnlyFieldListFilter),)
    search_fields = ("org__code", "org__name", "chair")


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyRecordAdmin):
    list_display = ("date", "org", "kind", "purpose", "amount", "approved_on", "paid_on", "settled_on")
    list_select_related = ("org",)
    list_filter = ("kind", ("org", ScopedRelatedOnlyFieldListFilter))
    search_fields = ("org__code", "org__name", "purpose", "handler")
    date_hierarchy = "date"


@admin.register(ExpenseLimits)
class ExpenseLimitsAdmin(ReadOnlyRecordAdmin):
    list_display = ("org", "cash_on_hand", "bank_transfer_from", "petty_item", "petty_total")
    list_select_related = ("org",)


@admin.register(FederationRules)
class FederationRulesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A federation's attendance thresholds: edited here, saved through the audited service."""

    list_display = ("org", "congress_quorum_numerator", "congress_quorum_denominator",
                    "committee_quorum_numerator", "committee_quorum_denominator")
    list_select_related = ("org",)
    fields = ("org", "congress_quorum_numerator", "congress_quorum_denominator",
              "committee_quorum_numerator", "committee_quorum_denominator")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "org" and field is not None:
            field.queryset = field.queryset.filter(parent__isnull=True)  # federations only
        return field

    def get_readonly_fields(self, request, obj=None):
        return ("org",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        quorum.save_rules(actor=request.user, rules_row=obj)

    def delete_model(self, request, obj):
        quorum.delete_rules(actor=request.user, rules_row=obj)  # back to the defaults, audited

    def delete_queryset(self, request, queryset):
        # "Delete selected" would skip the audit: one audited delete per row, all or nothing.
        with transaction.atomic():
            for obj in queryset.select_related("org"):
                self.delete_model(request, obj)
