"""The header's links (templates/base.html), reversed once per process, URL prefix and URLconf:
ten ``{% url %}`` on every page cost ~0.3 ms of CPU, a twentieth of a page."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

# name in the template → URL name
HEADER_LINKS = {
    "home": "home", "tree": "orgs:index", "assessment": "assessment:index", "duties": "duties:index",
    "services": "services:index", "admin": "admin:index", "language": "set_language",
    "inbox": "notifications:inbox", "account": "two_factor", "logout": "logout", "login": "login",
}


@functools.lru_cache(maxsize=16)  # a prefix or URLconf per deployment; bounded all the same
def _links(prefix: str, urlconf) -> dict[str, str]:
    return {name: reverse(target, urlconf=urlconf) for name, target in HEADER_LINKS.items()}


def header_links(request) -> dict:
    return {"header_links": _links(get_script_prefix(), get_urlconf())}
