"""Search: number, name, basis and content; the same results on SQLite and PostgreSQL."""

import pytest

from duties import selectors
from duties.models import CatalogueVersion


def numbers(code, term):
    version = CatalogueVersion.objects.get(catalogue__org__code=code, status="published")
    return [item.number for item in selectors.items_of(version, term)]


@pytest.mark.parametrize(("code", "term", "expected"), [
    ("zz-jy", "女职工", ["7"]),
    ("zz-jy", "劳动竞赛", ["8"]),
    ("zz-jy", "工会经费 资产", ["9"]),  # every word must match
    ("zz-ga", "女干警", ["6"]),
    ("tj-hd", "1.1", ["1.1"]),
    ("tj-hd", "１.１", ["1.1"]),  # full-width digits find the same
    ("tj-hd", "中国工会章程", ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4"]),  # legal basis
    ("tj-hd", "年审程序", ["3.2"]),  # workflow
    ("tj-hd", "建会申请", ["1.1"]),  # documents
    ("tj-hd", "工会会员服务卡的办理、管理工作及会员专属救助保障", ["3.2"]),  # the overview's wording
    ("tj-hd", "没有这个词", []),
    ("zz-jy", "100%_", []),  # LIKE wildcards are text
])
def test_search_across_number_name_basis_and_content(seeded, code, term, expected):
    assert numbers(code, term) == expected


def test_search_page_shows_matches(seeded, client):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("duties:catalogue", args=["zz-jy"]), {"q": "双联"}).content.decode()
    assert "做好“双联”和困难职工帮扶维权工作。" in page
    assert "做好女职工工作" not in page
