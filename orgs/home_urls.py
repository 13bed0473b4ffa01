"""The landing page at the site's root (named "home", outside the orgs namespace)."""

from django.urls import path

from orgs import views

urlpatterns = [
    path("", views.home, name="home"),
]
