from django.urls import path

from orgs import job_views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", job_views.job_detail, name="detail"),
    path("<int:pk>/download/", job_views.job_download, name="download"),
]
