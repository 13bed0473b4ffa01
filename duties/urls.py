from django.urls import path

import unionportal.converters  # noqa: F401  (registers orgcode and tablefmt)
from duties import views

app_name = "duties"
urlpatterns = [
    path("", views.index, name="index"),
    path("compare/<orgcode:code>/", views.compare, name="compare"),
    path("<orgcode:code>/", views.catalogue, name="catalogue"),
    path("<orgcode:code>/items/<int:pk>/", views.item_detail, name="item"),
    path("<orgcode:code>/changes/", views.changes, name="changes"),
    path("<orgcode:code>.pdf", views.catalogue_pdf, name="pdf"),
    path("<orgcode:code>.<tablefmt:fmt>", views.catalogue_export, name="export"),
]
