"""The portal's admin site: open to superusers and to users with an admin grant somewhere."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from orgs.models import Grant, Role


def manages_anything(request) -> bool:
    """Whether the user holds an admin grant anywhere (cached on the request)."""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(request, "_manages_anything"):
        request._manages_anything = Grant.objects.filter(user=user, role=Role.ADMIN).exists()
    return request._manages_anything


class PortalAdminSite(admin.AdminSite):
    site_header = _("UnionPortal administration")
    site_title = _("UnionPortal")
    index_title = _("Organisations, catalogues, templates and grants")
    site_url = "/"

    def has_permission(self, request):
        return manages_anything(request)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # A signed-in user whose roles do not open the admin is refused (403), not sent
            # back to a sign-in page that would only send them here again.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        # One sign-in page for the whole portal; roles, not is_staff, open the admin.
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return redirect("admin:index")
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        return redirect_to_login(target)
