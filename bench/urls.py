"""The benchmark's URLs: the portal's own, plus the floor (active only under bench.settings).

The floor is the cheapest page the portal could serve: the same middleware (session, user,
session policy, security headers, CSP), one query, a few bytes.  Every throughput figure of
``bench/throughput.py`` is read as a ratio to it, measured in the same run.
"""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import path

from unionportal.urls import handler403  # noqa: F401  (the portal's own refusal page)
from unionportal.urls import urlpatterns as portal_urlpatterns


def floor(request):
    """One query through the full middleware stack."""
    found = get_user_model().objects.filter(pk=request.user.pk or 0).exists()
    return HttpResponse(f"ok {int(found)}", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *portal_urlpatterns]
