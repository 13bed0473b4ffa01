"""A catalogue's PDF cached by the version of its data (duties.pdf.catalogue_data_key): a repeat
download renders no HTML and reads no items, yet every later write it prints shows at once, a
draft changes nothing printed, and the cache opens nothing to a user outside the org's scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duties import selectors, services
from duties.models import Catalogue, CatalogueVersion, VersionStatus
from orgs.access import Action, scope_orgs
from orgs.models import Org
from tests.duties.helpers import plain_catalogue
from tests.kit import EVERYONE, client_for, scope_tree, user_of, user_with_role
from tests.pdftext import pdf_text
from unionportal import pdf as renderer
from unionportal.actors import SYSTEM


def _flat(document: bytes) -> str:
    return "".join(pdf_text(document).split())


def test_a_cached_catalogue_pdf_renders_nothing_and_shows_every_later_write(db, monkeypatch):
    tree = scope_tree()
    plain_catalogue(tree.a, texts=["第一版的职责"])
    clerk = client_for(user_with_role(tree, "clerk"))
    rendered = []
    original = renderer.render_html
    monkeypatch.setattr(renderer, "render_html", lambda *args: rendered.append(1) or original(*args))
    url = "/duties/kit-a.pdf"
    with CaptureQueriesContext(connection) as cold:
        first = clerk.get(url)
    assert first.status_code == 200 and "第一版的职责" in _flat(first.content) and len(rendered) == 1
    with CaptureQueriesContext(connection) as warm:
        again = clerk.get(url)
    assert again.content == first.content and len(rendered) == 1  # no HTML rendered
    assert any("duties_dutyitem" in query["sql"] for query in cold.captured_queries)
    assert not any("duties_dutyitem" in query["sql"] for query in warm.captured_queries)

    draft = services.start_draft(actor=SYSTEM, catalogue=Catalogue.objects.get(org=tree.a))
    services.set_version_details(actor=SYSTEM, version=draft, title="草稿的标题", note="")
    assert clerk.get(url).content == first.content  # a draft prints nowhere
    services.discard_draft(actor=SYSTEM, version=draft)

    plain_catalogue(tree.a, texts=["第二版的职责"])
    text = _flat(clerk.get(url).content)
    assert "第二版的职责" in text and "第一版的职责" not in text

    tree.a.name = "甲系统工会改名"
    tree.a.save()
    assert "甲系统工会改名" in _flat(clerk.get(url).content)


def test_the_cache_opens_no_catalogue_outside_the_users_scope(db):
    tree = scope_tree()
    plain_catalogue(tree.a, texts=["甲的职责"])
    assert client_for(user_with_role(tree, "clerk")).get("/duties/kit-a.pdf").status_code == 200  # cached now
    outsider = user_with_role(tree, "staff", username="kit-b1-staff")  # staff of a1 sees a1 only
    assert client_for(outsider).get("/duties/kit-a.pdf").status_code == 404


@pytest.mark.parametrize("role", EVERYONE)
def test_the_compiled_read_of_a_published_version_answers_as_the_orm(db, role):
    """``published_version_for`` is compiled once per process (orgs.access.fetch_scoped): for
    every role and org it finds exactly the version the ORM's own query finds, its org attached."""
    tree = scope_tree()
    for org in (tree.root, tree.a, tree.a1, tree.b1):
        plain_catalogue(org, texts=[f"{org.code}的职责"])
    plain_catalogue(tree.a2, publish=False)  # a draft only: found by nobody
    user = user_of(tree, role)
    for org in (tree.root, tree.a, tree.a1, tree.a2, tree.b, tree.b1):
        reached = scope_orgs(Org.objects.filter(code=org.code), user, Action.VIEW)
        expected = CatalogueVersion.objects.filter(catalogue__org__in=reached, status=VersionStatus.PUBLISHED).first()
        with CaptureQueriesContext(connection) as queries:
            found = selectors.published_version_for(user, org.code)
            found_org = found and found.catalogue.org.code
        assert found == expected, (role, org.code)
        assert found_org == (expected and expected.catalogue.org.code) and len(queries) == 1
