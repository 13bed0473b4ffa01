from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fixtures.demo_orgs import DEMO_ACCOUNTS
from orgs.models import Role
from orgs.seeding import demo_accounts_loaded


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Demo passwords are shown only on a development machine that has the demo data.
        if settings.DEBUG and demo_accounts_loaded():
            # The role in the reader's language (填报员…), not the stored key.
            context["demo_accounts"] = [(username, password, Role(role).label, code)
                                        for username, password, role, code in DEMO_ACCOUNTS]
        return context
