"""Governance routes under /orgs/<code>/governance/ (included from orgs/urls.py)."""

from django.urls import path

from orgs.governance import record_views, views, void_views

urlpatterns = [
    path("", views.governance_page, name="governance"),
    path("dashboard/", views.dashboard, name="governance-dashboard"),
    path("overdue.<tablefmt:fmt>", views.overdue_export, name="governance-overdue"),
    path("meetings/new/", record_views.MeetingView.as_view(), name="governance-meeting-new"),
    path("meetings/<int:pk>/", record_views.MeetingView.as_view(), name="governance-meeting-edit"),
    path("meetings/<int:pk>.pdf", views.meeting_pdf, name="governance-meeting-pdf"),
    path("meetings/<int:pk>/minutes", views.minutes_file, name="governance-minutes"),
    path("congresses/new/", record_views.CongressNewView.as_view(), name="governance-congress-new"),
    path("congresses/<int:pk>/election/", record_views.DelegatesElectView.as_view(), name="governance-election"),
    path("congresses/<int:pk>/by-election/", record_views.ByElectionView.as_view(), name="governance-by-election"),
    path("congresses/<int:pk>/sessions/new/", record_views.SessionNewView.as_view(), name="governance-session-new"),
    path("congresses/<int:pk>/committees/<slug:kind>/", record_views.CommitteeView.as_view(), name="governance-committee"),
    path("delegates/<int:pk>/end/", record_views.DelegateEndView.as_view(), name="governance-delegate-end"),
    path("sessions/<int:pk>/motions/new/", record_views.MotionNewView.as_view(), name="governance-motion-new"),
    path("motions/<int:pk>.pdf", views.motion_pdf, name="governance-motion-pdf"),
    path("consultations/new/", record_views.ConsultationView.as_view(), name="governance-consultation-new"),
    path("consultations/<int:pk>/", record_views.ConsultationView.as_view(), name="governance-consultation-edit"),
    path("terms/new/", record_views.TermView.as_view(), name="governance-term-new"),
    path("terms/<int:pk>/", record_views.TermView.as_view(), name="governance-term-edit"),
    path("expenses/new/", record_views.ExpenseNewView.as_view(), name="governance-expense-new"),
    path("expenses/<int:pk>/", record_views.ExpenseStepView.as_view(), name="governance-expense"),
    path("expenses/limits/", record_views.LimitsView.as_view(), name="governance-limits"),
    path("<slug:kind>/<int:pk>/void/", void_views.void_record, name="governance-void"),
]
