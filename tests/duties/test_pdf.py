"""The printed catalogue: text, page numbers, bookmarks, cards, contents; injection; cache."""

import pytest
from django.urls import reverse

from duties import selectors
from duties.pdf import render_catalogue_pdf
from orgs.models import Org
from tests.duties.helpers import card_catalogue, plain_catalogue
from tests.factories import OrgFactory, UserFactory
from tests.kit import client_for
from tests.pdftext import pdf_bookmarks, pdf_page_count, pdf_text
from unionportal import pdf as renderer


def flat(text):
    return "".join(text.split())


def test_zhuzhou_subtree_pdf_has_contents_every_union_and_bookmarks(seeded):
    zz = Org.objects.get(code="zz")
    versions = selectors.subtree_versions(zz, None, subtree=True, unscoped=True)
    document = render_catalogue_pdf(zz, versions, subtree=True)
    text = flat(pdf_text(document))
    pages = pdf_page_count(document)
    assert pages >= 13  # a contents page, then each union from a new page
    assert "株洲市总工会及所属单位工作职责" in text and "目录" in text
    assert "做好女干警工作，维护女干警合法权益。" in text
    assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text
    assert "打印日期" in text and "株洲市金融系统工会第1版" in text
    bookmarks = pdf_bookmarks(document)
    assert bookmarks[0] == "株洲市总工会及所属单位工作职责"
    assert bookmarks[1:] == [org.name for org in zz.get_children()]


def test_hedong_pdf_prints_the_official_duty_cards(seeded, admin_client):
    response = admin_client.get(reverse("duties:pdf", args=["tj-hd"]))
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert "天津市河东区总工会权责清单" in text
    for label in ("序号", "名称", "法定依据", "实施机构", "职责边界", "运行流程", "运行要件", "责任事项", "监督方式"):
        assert label in text
    assert "成立工会筹备组（提出建会申请，报上一级工会批准）" in text
    assert "年审程序" in text and "监督电话：24316932" in text
    assert text.count("职责事项") >= 14
    assert pdf_bookmarks(response.content) == ["天津市河东区总工会权责清单", "天津市河东区总工会"]
    assert "第1版" in text


@pytest.mark.parametrize("hostile", [
    '<img src="file:///etc/passwd">',
    "http://169.254.169.254/latest/meta-data/",
    '<link rel="stylesheet" href="http://169.254.169.254/x.css"><script>alert(1)</script>',
])
def test_markup_in_a_duty_prints_as_text_and_fetches_nothing(db, monkeypatch, hostile):
    fetched = []
    fetcher = renderer.url_fetcher()
    original = fetcher.fetch
    monkeypatch.setattr(fetcher, "fetch", lambda url, headers=None: fetched.append(url) or original(url, headers))
    org = OrgFactory(code="inj", name="注入测试工会")
    card_catalogue(org, name=hostile)
    client = client_for(UserFactory(is_superuser=True))
    text = pdf_text(client.get("/duties/inj.pdf").content)
    assert flat(hostile) in flat(text)
    assert "root:" not in text
    assert fetched == []


def test_repeat_download_is_cached_and_an_edit_is_never_stale(db, monkeypatch):
    calls = []
    original = renderer.html_to_pdf
    monkeypatch.setattr(renderer, "html_to_pdf", lambda html: calls.append(1) or original(html))
    org = OrgFactory(code="cache", name="缓存测试工会")
    plain_catalogue(org, 2)
    client = client_for(UserFactory(is_superuser=True))
    first = client.get("/duties/cache.pdf").content
    assert client.get("/duties/cache.pdf").content == first and len(calls) == 1
    plain_catalogue(org, texts=["修改后的职责"])
    assert "修改后的职责" in pdf_text(client.get("/duties/cache.pdf").content)
    assert len(calls) == 2
