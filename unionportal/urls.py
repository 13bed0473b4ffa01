from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from unionportal import error_views, views

# The project's library imports no app: each app's pages are included by dotted name.
urlpatterns = [
    path("", include("orgs.home_urls")),  # the landing page, "home"
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", error_views.favicon, name="favicon"),
    path("accounts/", include("unionportal.accounts.urls")),  # sign-in (password, code), 2FA
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("orgs/", include("orgs.urls")),
    path("duties/", include("duties.urls")),
    path("assessment/", include("assessment.urls")),
    path("services/", include("services.urls")),
    path("inbox/", include("unionportal.notifications.urls")),
    path("jobs/", include("orgs.job_urls")),  # background jobs, behind the gate
    path("admin/", admin.site.urls),
]

# A refusal says where the user's work is and is recorded once (unionportal/error_views.py).
handler403 = "unionportal.error_views.permission_denied"
