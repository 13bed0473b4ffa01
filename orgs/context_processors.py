from django.utils.functional import SimpleLazyObject

from orgs.access import Action
from orgs.admin_site import manages_anything
from orgs.selectors import user_scope_if_read


def portal(request):
    """Whether to show the admin link, worked out only by a page that shows it (the portal's
    header; the admin's own pages render with this context too): from the user's grants when
    the page has read them (``selectors.user_scope``, shared with the view and the template
    tags); otherwise the admin site's own answer for the request (one EXISTS, compiled once per
    process, kept on the request: an admin refusal has just asked it)."""
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {"show_admin_link": False}
    return {"show_admin_link": SimpleLazyObject(lambda: _shows_admin_link(request))}


def _shows_admin_link(request) -> bool:
    scope = user_scope_if_read(request)
    if scope is not None:
        return scope.holds(Action.MANAGE)
    return manages_anything(request)
