"""The portal's admin site: open to superusers and to users whose grants allow managing
somewhere (the gate decides: ``Action.MANAGE``), never to ``is_staff`` alone."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from orgs.access import Action, holds_anywhere
from unionportal.error_views import admin_refused


def manages_anything(request) -> bool:
    """Whether the user may manage some org, so the admin opens (cached on the request)."""
    if not hasattr(request, "_manages_anything"):
        request._manages_anything = holds_anywhere(request.user, Action.MANAGE)
    return request._manages_anything


# A model admin's object pages and the model-level permission each needs, checked before the
# object is looked up.
_PAGE_PERMISSION = {
    "history_view": "has_view_or_change_permission",
    "change_view": "has_view_or_change_permission",
    "add_view": "has_add_permission",
}


def _may_open(view, request) -> bool:
    """Whether the user's permissions on the view's model let them open the page at all."""
    model_admin = getattr(view, "__self__", None)
    check = _PAGE_PERMISSION.get(getattr(view, "__name__", ""))
    if not isinstance(model_admin, admin.ModelAdmin) or check is None:
        return True
    return getattr(model_admin, check)(request)


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
            # A signed-in user whose roles do not open the admin is refused (403) with a page
            # that says where their work is, not sent back to a sign-in page that would only
            # send them here again.
            if request.user.is_authenticated and not self.has_permission(request):
                return admin_refused(request)
            if request.user.is_authenticated and not _may_open(view, request):
                # Refused before the view looks the object up, so an id that exists and one that
                # does not get the same 403 (Django's history page redirects for the latter).
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def get_urls(self):
        # "View on site" names where any object lives by its redirect; it goes through the
        # registered admin's scoped queryset like the change view does.
        urls = super().get_urls()
        scoped = path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site),
                      name="view_on_site")
        return [scoped if getattr(url, "name", None) == "view_on_site" else url for url in urls]

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to the object's page if the user's admin may see it; 404 otherwise, the same
        answer as for an object that does not exist."""
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.view_on_site or not model_admin.has_view_permission(request):
            raise Http404
        try:
            visible = model_admin.get_object(request, unquote(object_id)) is not None
        except ValidationError:
            visible = False
        if not visible:
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def login(self, request, extra_context=None):
        # One sign-in page for the whole portal; roles, not is_staff, open the admin.
        if request.user.is_authenticated:
            if not self.has_permission(request):
                return admin_refused(request)
            return redirect("admin:index")
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        return redirect_to_login(target)
