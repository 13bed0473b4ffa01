"""The scope matrix (issue 9): every URL pattern of the portal, for every role, inside and
outside the role's subtree.

Inside, each user gets the answer ``tests/security/routes.py`` lists for it.  Outside, every
path answers 404 (403 in the admin for a user the admin is closed to; the sign-in page for
the anonymous one), names no outside record, answers exactly as it does for a code or id that
does not exist, and a POST changes nothing in any table.  A pattern the matrix cannot fill
fails ``test_every_url_pattern_is_in_the_matrix``.
"""

import functools
import re
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve

from tests.security.checksum import checksum_after, rows_written, table_checksum
from tests.security.routes import (
    AUTOCOMPLETE,
    KNOWN_HOLES,
    ROUTES,
    USERS,
    VARIANTS,
    VIEW_ON_SITE,
    VIEW_ON_SITE_MODELS,
    all_patterns,
)

SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")
UNCHANGING = {403, 404, 405}  # answers after which nothing may have changed


def test_every_url_pattern_is_in_the_matrix():
    patterns = set(all_patterns())
    unknown = sorted(patterns - set(ROUTES))
    assert not unknown, f"URL patterns the scope matrix cannot fill (add them to tests/security/routes.py): {unknown}"
    stale = sorted(set(ROUTES) - patterns)
    assert not stale, f"tests/security/routes.py lists patterns that no longer exist: {stale}"


def _cases():
    for key in sorted(ROUTES):
        route = ROUTES[key]
        for variant in VARIANTS.get(key, [""]):
            for method, answers in (("GET", route.get), ("POST", route.post)):
                if answers is None:
                    continue
                sides = ["inside"]
                if route.scoped() or (method == "POST" and route.post_scoped):
                    sides.append("outside")
                if route.scoped() and "<orgcode:code>" in key and re.search(r"<int:pk>|<path:object_id>", key):
                    sides.append("cross")  # a1's path with B's record
                for user in USERS:
                    for side in sides:
                        if _redundant(key, route, user, side):
                            continue
                        if side == "inside" and _no_inside_case(key, route, variant, answers, user):
                            continue
                        label = f"{method} /{key}{'#' + variant if variant else ''} {user} {side}"
                        hole = KNOWN_HOLES.get((key, user, side))
                        marks = [pytest.mark.xfail(strict=True, reason=hole)] if hole else []
                        yield pytest.param(method, key, variant, user, side, id=label, marks=marks)


def _no_inside_case(key, route, variant, answers, user) -> bool:
    """An inside answer left unpinned (None): the admin's own deletes, which really delete."""
    if user == "anonymous" or (key == VIEW_ON_SITE and user == "admin"):
        return False
    return answers[user] is None


def _redundant(key, route, user, side) -> bool:
    """Cases another case already decides, left out to keep the matrix fast: B's record under
    a1's path for users who cannot see a1, and a record of A in the admin for users the admin is
    closed to (the same guard answers B's record, which the matrix asks)."""
    if side == "cross":
        return user in ("anonymous", "nogrant")
    if side == "inside" and user == "anonymous" and route.scoped() and route.anonymous is None:
        return True  # sent to the sign-in page before any lookup: the outside case asks it
    return side == "inside" and route.scoped() and key.startswith("admin/") and user not in ("admin", "anonymous")


@functools.cache
def _route_of(path: str) -> str:
    """The pattern a path resolves to (the URLconf does not change during a run; cases share paths)."""
    return resolve(urlsplit(path).path).route


def _path(world, key, variant, side):
    route = ROUTES[key]
    values = world.sides[side]
    if route.path:
        return route.path(world) if callable(route.path) else route.path
    if key == VIEW_ON_SITE:
        app_label, model = variant.split(".")
        kwargs = {"content_type_id": ContentType.objects.get_by_natural_key(app_label, model).pk,
                  "object_id": getattr(values, VIEW_ON_SITE_MODELS[variant][0])}
    else:
        kwargs = route.kwargs(values) if route.kwargs else {}
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), key)
    if key == AUTOCOMPLETE:
        app_label, model, field = variant.split(".")
        path += f"?app_label={app_label}&model_name={model}&field_name={field}&term="
    return path + route.query


def _client(world, user):
    """A client of its own for each request (the anonymous one without cookies, each signed-in
    one with only its session), on the module's one handler (tests/security/conftest.py)."""
    client = Client()
    client.handler = world.handler
    if user != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user]
    return client


def _data(route, values):
    data = route.data(values) if route.data else {}
    return {name: SimpleUploadedFile(*value) if isinstance(value, tuple) else value for name, value in data.items()}


def _ask(client, method, path, route, values):
    if method == "GET":
        return client.get(path)
    return client.post(path, _data(route, values))


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    # (No response.close(): the test client has closed it, and closing again would signal the
    # end of a request, which closes the database connection inside the module's transaction.)
    kind = response.get("Content-Type", "")
    if not (kind.startswith("text/") or "json" in kind or "javascript" in kind):
        return ""  # PDFs and workbooks: outside answers are never files (the status says so)
    text = content.decode("utf-8", "replace")
    if "json" in kind:  # names in JSON are \\u-escaped
        text = text.encode().decode("unicode_escape", "replace") if "\\u" in text else text
    return text


def _normalised(response, body, path, values):
    """Status, redirect target and body with what the user asked (the path, the codes in it
    or in the file sent), CSRF tokens, nonces and the session's clock blanked."""
    plain = urlsplit(path).path
    spellings = {path, plain, quote(path, safe="/"), quote(path, safe=""), quote(plain, safe=""),
                 quote(plain, safe="/"), values.unit, values.branch}
    location = response.get("Location", "")
    for spelling in sorted(spellings, key=len, reverse=True):
        body = body.replace(spelling, "<path>")
        location = location.replace(spelling, "<path>")
    body = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1", body)
    body = re.sub(r'nonce="[^"]+"', 'nonce=""', body)
    body = re.sub(r'(data-session-[a-z]+=")[0-9]+', r"\1", body)  # the session's clock
    return response.status_code, location, body


def _difference(mine, theirs) -> str:
    if mine[:2] != theirs[:2]:
        return f"{mine[:2]} vs {theirs[:2]}"
    at = next((i for i, (a, b) in enumerate(zip(mine[2], theirs[2], strict=False)) if a != b),
              min(len(mine[2]), len(theirs[2])))
    return f"bodies differ at {at}: {mine[2][max(0, at - 80):at + 80]!r} vs {theirs[2][max(0, at - 80):at + 80]!r}"


def _leaks(world, body, side="inside"):
    names = world.outside_names if side == "inside" else world.outside_names + world.hidden_names
    return [name for name in names if name in body]


@pytest.mark.usefixtures("db")  # each case rolled back (tests/security/conftest.py)
@pytest.mark.parametrize(("method", "key", "variant", "user", "side"), list(_cases()))
def test_scope_matrix(world, method, key, variant, user, side):
    route = ROUTES[key]
    answers = route.get if method == "GET" else route.post
    values = world.sides[side]
    path = _path(world, key, variant, side)
    assert _route_of(path) == key.replace("/^", "/"), f"{path} does not fill {key}"
    client = _client(world, user)
    anonymous_answer = route.anonymous if user == "anonymous" else None

    if side == "inside":
        expected = anonymous_answer if user == "anonymous" else answers[user]
        if user == "anonymous" and expected is None:
            expected = "sign-in"
        if key == VIEW_ON_SITE and user == "admin":
            expected = VIEW_ON_SITE_MODELS[variant][1]
    elif user == "anonymous" and anonymous_answer is None:
        expected = "sign-in"
    elif side == "outside" and not route.scoped():
        expected = answers[user] if user != "anonymous" else anonymous_answer  # the body names B's records
    elif side == "outside" and key.startswith("admin/"):
        # Closed to the user as a whole (403), or to every record of the model, such as the
        # delete page of a read-only model (403 for any id); else 404.  Django's bare
        # ``<id>/`` sends every id on to ``<id>/change/`` unread (302).
        expected = ({403} if user != "admin" else 404 if key == VIEW_ON_SITE
                    else {302} if key.endswith("<path:object_id>/") else {403, 404})
    elif side == "outside":
        expected = 404
    else:
        expected = None  # cross: exactly what the same path with an id that exists nowhere answers

    unchanging = side != "inside" or expected in UNCHANGING or expected == "sign-in"
    # The state before the POST: the world's rows (each case starts from them: its transaction
    # is rolled back after it) and the files on disk now.
    before = table_checksum(world.rows) if method == "POST" and unchanging else None
    written = rows_written()
    response = _ask(client, method, path, route, values)
    body = _body(response)
    where = f"{method} {path} as {user} ({side})"

    if expected == "sign-in":
        assert response.status_code == 302, f"{where}: {response.status_code}, expected the sign-in page"
        assert response["Location"].startswith(SIGN_IN_PAGES), f"{where}: redirected to {response['Location']}"
    elif isinstance(expected, set):
        assert response.status_code in expected, f"{where}: {response.status_code}, expected one of {expected}"
    elif expected is not None:
        assert response.status_code == expected, f"{where}: {response.status_code}, expected {expected}"
    if side == "inside":
        # A page of branch A's records shows nothing of branch B.
        assert not _leaks(world, body), f"{where}: names outside records: {_leaks(world, body)}"
        if before is not None:
            assert checksum_after(world.rows, written) == before, f"{where}: a refused POST changed the database"
        return

    assert not _leaks(world, body, side), f"{where}: names outside records: {_leaks(world, body, side)}"
    if before is not None:
        assert checksum_after(world.rows, written) == before, f"{where}: a POST outside the scope changed the database"
    # The same pattern with a code or id that names nothing answers exactly the same.
    missing_side = "cross_missing" if side == "cross" else "missing"
    missing_path = _path(world, key, variant, missing_side)
    missing = _ask(_client(world, user), method, missing_path, route, world.sides[missing_side])
    missing_body = _body(missing)
    mine = _normalised(response, body, path, values)
    theirs = _normalised(missing, missing_body, missing_path, world.sides[missing_side])
    assert mine == theirs, f"{where} answers differently from {missing_path}: {_difference(mine, theirs)}"
