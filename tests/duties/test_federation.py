"""An org without a catalogue of its own (a federation such as zz): /duties/<code>/ is an
overview of the catalogues below it, and its exports serve the subtree; 404 outside the
scope and when nothing below is visible.  PDF downloads carry an ASCII fallback name."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Grant, Org
from tests.duties.helpers import plain_catalogue
from tests.factories import OrgFactory, UserFactory
from tests.kit import ROLES, assert_hidden, assert_visible, client_for, scope_tree, user_with_role
from tests.pdftext import pdf_text
from unionportal.pdf import pdf_response


def page_urls(code):
    return [reverse("duties:catalogue", args=[code])]


def export_urls(code):
    return [
        reverse("duties:pdf", args=[code]),
        reverse("duties:export", args=[code, "xlsx"]),
        reverse("duties:export", args=[code, "csv"]),
        reverse("duties:pdf", args=[code]) + "?subtree=1",
        reverse("duties:export", args=[code, "csv"]) + "?subtree=1",
    ]


@pytest.fixture
def tree(db):
    """Catalogues on the leaves a1, a2, b1 only: root, A and B have none of their own."""
    tree = scope_tree()
    for org in (tree.a1, tree.a2, tree.b1):
        plain_catalogue(org, 2)
    return tree


@pytest.mark.parametrize("role", ROLES)
def test_an_org_without_a_catalogue_shows_the_catalogues_below_it_inside_the_scope(tree, role):
    client = client_for(user_with_role(tree, role))
    if role == "staff":  # sees a1 only: A is outside
        for url in page_urls("kit-a") + export_urls("kit-a"):
            assert_hidden(client, url)
    else:
        for url in page_urls("kit-a") + export_urls("kit-a"):
            assert_visible(client, url)
        page = client.get(reverse("duties:catalogue", args=["kit-a"])).content.decode()
        assert "甲一基层工会" in page and "甲二基层工会" in page and "乙一基层工会" not in page
        assert reverse("duties:catalogue", args=["kit-a-1"]) in page
        assert reverse("duties:pdf", args=["kit-a"]) + "?subtree=1" in page
        assert reverse("duties:export", args=["kit-a", "xlsx"]) + "?subtree=1" in page
        assert reverse("duties:export", args=["kit-a", "csv"]) + "?subtree=1" in page
        assert reverse("duties:compare", args=["kit-a"]) in page
    for code in ("kit", "kit-b", "kit-b-1"):  # outside every role's grant
        for url in page_urls(code) + export_urls(code):
            assert_hidden(client, url)


def test_the_plain_export_of_a_federation_is_its_subtree(tree):
    client = client_for(user_with_role(tree, "clerk"))
    body = client.get(reverse("duties:export", args=["kit-a", "csv"])).content.decode("utf-8-sig")
    assert {line.split(",")[0] for line in body.splitlines()[1:]} == {"kit-a-1", "kit-a-2"}
    response = client.get(reverse("duties:pdf", args=["kit-a"]))
    assert response["Content-Type"] == "application/pdf"
    assert "甲系统工会及所属单位工作职责" in "".join(pdf_text(response.content).split())
    assert 'filename="kit-a-duties-subtree.pdf"' in response["Content-Disposition"]
    assert "kit-a-duties-subtree.csv" in client.get(
        reverse("duties:export", args=["kit-a", "csv"]))["Content-Disposition"]


def test_nothing_visible_below_is_still_404(db):
    tree = scope_tree()  # no catalogue anywhere
    client = client_for(user_with_role(tree, "admin"))
    for url in page_urls("kit-a") + export_urls("kit-a"):
        assert_hidden(client, url)
    # an unpublished draft below is not a catalogue a reader sees either
    plain_catalogue(tree.a1, 2, publish=False)
    clerk = client_for(user_with_role(tree, "clerk"))
    for url in page_urls("kit-a") + export_urls("kit-a"):
        assert_hidden(clerk, url)


def test_an_org_with_its_own_catalogue_keeps_its_page_and_plain_export(tree):
    plain_catalogue(tree.a, 3, title="甲系统工会自己的职责")
    client = client_for(user_with_role(tree, "clerk"))
    page = client.get(reverse("duties:catalogue", args=["kit-a"])).content.decode()
    assert "甲系统工会自己的职责" in page and 'id="federation-catalogues"' not in page
    body = client.get(reverse("duties:export", args=["kit-a", "csv"])).content.decode("utf-8-sig")
    assert {line.split(",")[0] for line in body.splitlines()[1:]} == {"kit-a"}


def test_a_manager_sees_the_draft_of_the_own_catalogue_from_the_overview(tree):
    draft = plain_catalogue(tree.a, 3, publish=False)
    admin_page = client_for(user_with_role(tree, "admin")).get(reverse("duties:catalogue", args=["kit-a"]))
    assert f"?version={draft.number}" in admin_page.content.decode()
    clerk_page = client_for(user_with_role(tree, "clerk")).get(reverse("duties:catalogue", args=["kit-a"]))
    assert f"?version={draft.number}" not in clerk_page.content.decode()


def test_overview_runs_a_constant_number_of_queries(db):
    root = OrgFactory(code="qf", name="查询测试总工会")
    user = UserFactory(username="qf-clerk")
    Grant.objects.create(user=user, role="clerk", org=root)
    client = client_for(user)
    url = reverse("duties:catalogue", args=["qf"])

    def count(children):
        for n in range(children):
            plain_catalogue(OrgFactory(code=f"qf-{n}-{children}", name=f"查询测试{children}系统工会{n}", parent=root), 2)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(3) == count(12)


def test_seeded_zhuzhou_federation_page_and_exports(seeded):
    zz = Org.objects.get(code="zz")
    assert not hasattr(zz, "duty_catalogue") or not zz.duty_catalogue.versions.exists()
    user = UserFactory(username="zz-clerk")
    Grant.objects.create(user=user, role="clerk", org=zz)
    client = client_for(user)
    response = client.get(reverse("duties:catalogue", args=["zz"]))
    assert response.status_code == 200
    page = response.content.decode()
    for child in zz.get_children():
        assert child.name in page and reverse("duties:catalogue", args=[child.code]) in page
    assert len(response.context["catalogues"]) == 12 and response.context["total"] == 116
    assert reverse("duties:compare", args=["zz"]) in page

    pdf = client.get(reverse("duties:pdf", args=["zz"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "株洲市总工会及所属单位工作职责" in "".join(pdf_text(pdf.content).split())
    disposition = pdf["Content-Disposition"]
    assert 'filename="zz-duties-subtree.pdf"' in disposition
    assert "filename*=UTF-8''%E6%A0%AA" in disposition  # 株洲市总工会及所属单位工作职责.pdf
    csv = client.get(reverse("duties:export", args=["zz", "csv"])).content.decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 1 + 116

    # a clerk of 教育 does not see zz
    jy = UserFactory(username="jy-clerk")
    Grant.objects.create(user=jy, role="clerk", org=Org.objects.get(code="zz-jy"))
    jy_client = client_for(jy)
    assert_hidden(jy_client, reverse("duties:catalogue", args=["zz"]))
    assert_hidden(jy_client, reverse("duties:pdf", args=["zz"]))
    response = jy_client.get(reverse("duties:pdf", args=["zz-jy"]))
    assert 'filename="zz-jy-duties.pdf"' in response["Content-Disposition"]


def test_pdf_response_ascii_fallback():
    chinese = pdf_response(b"%PDF-1.7", "教育系统工会.pdf")["Content-Disposition"]
    assert 'filename="document.pdf"' in chinese and "filename*=UTF-8''%E6%95%99" in chinese
    named = pdf_response(b"%PDF-1.7", "教育系统工会.pdf", fallback="zz-jy-duties.pdf")["Content-Disposition"]
    assert 'filename="zz-jy-duties.pdf"' in named and "filename*=UTF-8''%E6%95%99" in named
    assert 'filename="2026-zz-.pdf"' in pdf_response(b"", "2026-zz-考核.pdf")["Content-Disposition"]
    assert 'filename="ab.pdf"' in pdf_response(b"", 'a"b.pdf')["Content-Disposition"]


def test_export_duties_of_a_federation_exports_its_unions(seeded, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "zz.csv"
    call_command("export_duties", "zz", str(path), stdout=io.StringIO())
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 1 + 116
