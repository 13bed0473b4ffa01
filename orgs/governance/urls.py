"""Governance routes under /orgs/<code>/governance/ (included from orgs/urls.py)."""

from django.urls import path

from orgs.governance import views, void_views

urlpatterns = [
    path("", views.governance_page, name="governance"),
    path("dashboard/", views.dashboard, name="governance-dashboard"),
    path("overdue.<tablefmt:fmt>", views.overdue_export, name="governance-overdue"),
    path("meetings/new/", views.meeting_edit, name="governance-meeting-new"),
    path("meetings/<int:pk>/", views.meeting_edit, name="governance-meeting-edit"),
    path("meetings/<int:pk>.pdf", views.meeting_pdf, name="governance-meeting-pdf"),
    path("meetings/<int:pk>/minutes", views.minutes_file, name="governance-minutes"),
    path("congresses/new/", views.congress_new, name="governance-congress-new"),
    path("congresses/<int:pk>/election/", views.delegates_elect, name="governance-election"),
    path("congresses/<int:pk>/by-election/", views.delegate_by_election, name="governance-by-election"),
    path("congresses/<int:pk>/sessions/new/", views.session_new, name="governance-session-new"),
    path("congresses/<int:pk>/committees/<slug:kind>/", views.committee_set, name="governance-committee"),
    path("delegates/<int:pk>/end/", views.delegate_end, name="governance-delegate-end"),
    path("sessions/<int:pk>/motions/new/", views.motion_new, name="governance-motion-new"),
    path("motions/<int:pk>.pdf", views.motion_pdf, name="governance-motion-pdf"),
    path("consultations/new/", views.consultation_edit, name="governance-consultation-new"),
    path("consultations/<int:pk>/", views.consultation_edit, name="governance-consultation-edit"),
    path("terms/new/", views.term_edit, name="governance-term-new"),
    path("terms/<int:pk>/", views.term_edit, name="governance-term-edit"),
    path("expenses/new/", views.expense_new, name="governance-expense-new"),
    path("expenses/<int:pk>/", views.expense_step, name="governance-expense"),
    path("expenses/limits/", views.limits_edit, name="governance-limits"),
    path("<slug:kind>/<int:pk>/void/", void_views.void_record, name="governance-void"),
]
