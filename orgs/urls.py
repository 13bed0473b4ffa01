from django.urls import include, path

import unionportal.converters  # noqa: F401  (registers orgcode and tablefmt)
from orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree_index, name="index"),
    path("<orgcode:code>/", views.org_detail, name="detail"),
    path("<orgcode:code>/governance/", include("orgs.governance.urls")),
    path("<orgcode:code>.<tablefmt:fmt>", views.org_export, name="export"),
]
