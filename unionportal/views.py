import logging

from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from unionportal import dependencies

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when the database and every configured store answer, 503 when one does not (for
    load balancers and monitors): ``database`` always, then ``cache`` (Redis), ``storage``
    (the object store) and ``jobs`` (the job queue) when configured, each "ok" or "error",
    each bounded to two seconds (unionportal/dependencies.py). No detail is ever shown."""
    body = {"status": "ok", "database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check database failed", exc_info=True)
        body["database"] = "error"
    body.update(dependencies.run_bounded(dependencies.configured_checks()))
    failed = [key for key, value in body.items() if key != "status" and value == "error"]
    if failed:
        logger.warning("Health check: %s down", ", ".join(failed))  # the monitor sees no detail
        body["status"] = "error"
        return JsonResponse(body, status=503)
    return JsonResponse(body)


class LoginView(auth_views.LoginView):
    # The demo accounts (development only) come from orgs' template tag on the sign-in page.
    redirect_authenticated_user = True
