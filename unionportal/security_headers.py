"""Response headers every page, PDF, download, admin page and error page carries.

The Content-Security-Policy itself comes from django-csp (``CONTENT_SECURITY_POLICY`` in the
settings); this middleware adds what django-csp does not: a Permissions-Policy, and
``Cache-Control: private, no-store`` on whatever a shared cache or the browser's disk must
not keep (a signed-in user's pages, every export and PDF).
"""

from django.conf import settings
from django.utils.cache import patch_cache_control

# Browser features the portal never uses: no page may ask for them, nor any frame.
DEFAULT_PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "autoplay": "()",
    "camera": "()",
    "display-capture": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "usb": "()",
}


def permissions_policy_header() -> str:
    policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
    return ", ".join(f"{feature}={allow}" for feature, allow in policy.items())


def is_download(response) -> bool:
    """An export, a PDF or an attachment: anything served with a file name."""
    return "Content-Disposition" in response or response.get("Content-Type", "").startswith(
        "application/pdf")


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; no caching of personal pages and files.

    Sits outside the session and authentication middleware, so it sees their responses too;
    ``request.user`` is there by the time the response comes back.  A view that
    already set ``no-store`` keeps its own, stricter header (``never_cache``'s max-age=0…);
    one that marks its answer ``public`` (the favicon) keeps it, unless it is a download.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self.must_not_be_stored(request, response):
            if "no-store" in response.get("Cache-Control", ""):
                patch_cache_control(response, private=True)
            else:
                patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def must_not_be_stored(request, response) -> bool:
        if is_download(response):
            return True
        # A view that marks its answer public (the favicon) shares nothing personal.
        if "public" in response.get("Cache-Control", ""):
            return False
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
