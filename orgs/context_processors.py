from orgs.admin_site import manages_anything


def portal(request):
    """Whether to show the admin link (one cached query per request)."""
    return {"show_admin_link": manages_anything(request) if hasattr(request, "user") else False}
