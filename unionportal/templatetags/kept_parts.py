"""``{% kept_part "header/_menu.html" name=value … %}``: a part of the page header that many
requests show alike (the menu, the language list, the inbox link), rendered once per process
for each set of values it shows and then reused (``unionportal.fragment_store``).

The header was a third of the work of rendering a page such as the refusal (403) and the "not
found" (404) page, which a scanner or a wrong link meets as often as a user meets the others.

A part renders with only the values the tag names — neither the page's context nor the
request — and those values, with the language, time zone and URL prefix (the store's key),
make its key: equal keys give equal HTML by construction.  So a part shows nothing it is not
given, and nothing of one request or user (a CSRF token, the path asked, a user's name) is
given to it: those stay live in base.html, as for every kept fragment.
"""

from django import template
from django.utils.functional import LazyObject, empty
from django.utils.safestring import SafeData, SafeString

from unionportal.fragment_store import FragmentStore

register = template.Library()

PARTS = ("header/_menu.html", "header/_languages.html", "header/_inbox.html", "header/_session_texts.html")
# A few entries per language: the menu per page kind, the inbox link per unread count.
_parts = FragmentStore(1024, *PARTS)


def _plain(value):
    """``value`` as data whose repr says all a template can show of it."""
    if isinstance(value, LazyObject):  # the header's counts, worked out now that a part shows them
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    # Marked-safe text prints unescaped, so it would need a key of its own: not taken.
    if isinstance(value, SafeData) or not isinstance(value, str | int | bool | None):
        raise TypeError(f"a kept part takes plain values only, not {type(value).__name__}")
    return value


@register.simple_tag
def kept_part(name: str, **values) -> SafeString:
    if name not in PARTS:
        raise template.TemplateSyntaxError(f"{name!r} is not a kept part (PARTS)")
    context = {key: _plain(value) for key, value in values.items()}
    key = _parts.key(name, sorted(context.items()))
    return _parts.get(key) or _parts.render(context, key, name)
