from orgs.access import Action


def portal(request):
    """Whether to show the admin link: from the user's grants, read once per request
    (``selectors.user_scope``, shared with the page's view and template tags)."""
    from orgs.selectors import user_scope

    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {"show_admin_link": False}
    return {"show_admin_link": user_scope(request).holds(Action.MANAGE)}
