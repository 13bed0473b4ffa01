"""Error pages and the favicon.

404 and 500 use Django's own handlers with the portal's templates (``templates/404.html``,
``templates/500.html``; the 500 page renders with no context and no database).  A refusal
(403) renders ``templates/403.html``, says where the user's work is, shows no exception text,
and is recorded once in the audit trail (``unionportal.refusals``).
"""

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import router
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from unionportal import compiled_sql
from unionportal.refusals import record_refusal

# Why a signed-in user without an admin grant is turned away from /admin/ (the log's reason).
NO_ADMIN_GRANT = "no admin grant"


def user_grants(request):
    """The signed-in user's own roles (never anything about other orgs), by org name.

    Compiled once per process (``compiled_sql``): this page is what a signed-in user without an
    admin role gets for every admin URL, and building the query cost a fifth of the answer."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    grant = user._meta.get_field("grants").related_model  # orgs' Grant (this library names no app)

    def build():
        return (grant._default_manager.filter(user_id=compiled_sql.USER).select_related("org")
                .order_by("org__name", "role"))

    return compiled_sql.fetch_instances(("error_views.user_grants",), build, router.db_for_read(grant),
                                        user=user.pk)


def permission_denied(request, exception=None, *, admin=False):
    """handler403: a branded page that says what to do next."""
    record_refusal(request, exception)
    context = {"admin_refused": admin, "grants": user_grants(request) if admin else []}
    return render(request, "403.html", context, status=403)


def admin_refused(request):
    """/admin/ for a signed-in user whose roles do not open it: where their work is instead."""
    request.refusal_reason = NO_ADMIN_GRANT
    return permission_denied(request, admin=True)


@cache
def _favicon_bytes() -> bytes:
    # The source file (STATICFILES_DIRS) is there with or without collectstatic.
    found = finders.find("favicon.ico")
    if found:
        return Path(found).read_bytes()
    with staticfiles_storage.open("favicon.ico") as icon:
        return icon.read()


@require_safe
def favicon(request):
    """``/favicon.ico`` for pages that name no icon (the admin, PDFs in a browser tab)."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
