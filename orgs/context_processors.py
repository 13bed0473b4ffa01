from orgs.access import Action, holds_anywhere
from orgs.selectors import user_scope_if_read


def portal(request):
    """Whether to show the admin link: from the user's grants when the page has read them
    (``selectors.user_scope``, shared with the view and the template tags); otherwise one
    EXISTS compiled once per process, cheaper than reading every grant with its org."""
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {"show_admin_link": False}
    scope = user_scope_if_read(request)
    if scope is not None:
        return {"show_admin_link": scope.holds(Action.MANAGE)}
    return {"show_admin_link": holds_anywhere(request.user, Action.MANAGE)}
