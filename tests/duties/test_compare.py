"""The comparison of a federation's system unions, by theme."""

from django.urls import reverse

from duties.compare import compare_children
from duties.themes import themes_of
from orgs.models import Org
from tests.factories import UserFactory


def test_zhuzhou_unions_share_the_four_repeated_duties_in_different_words(seeded):
    result = compare_children(Org.objects.get(code="zz"), UserFactory(is_superuser=True))
    assert len(result.versions) == 12
    rows = {row.theme.key: row for row in result.rows}
    for key in ("shuanglian", "women", "funds", "competition"):
        assert rows[key].coverage == 12, key
    assert len(rows["women"].wordings) == 2  # 女职工 (11 unions) and 女干警 (公安)
    shuanglian = {wording.text for wording in rows["shuanglian"].wordings}
    assert "做好“双联”和困难企业困难职工扶贫帮困工作。" in shuanglian
    assert "做好“双联”和困难职工帮扶维权工作。" in shuanglian
    assert {row.theme.key for row in result.unique} == set()
    assert rows["assigned"].coverage == 2  # 国资委 and 供销 only
    assert result.unthemed == []


def test_themes_of_a_compound_duty():
    keys = [theme.key for theme in themes_of(
        "抓好教职员工政治理论、科学文化和业务知识学习，做好劳模、先进个人的推荐、评选和管理工作。组织开展劳动竞赛和文体活动")]
    assert keys == ["competition", "model-workers", "education"]


def test_comparison_page(seeded, admin_client):
    page = admin_client.get(reverse("duties:compare", args=["zz"])).content.decode()
    assert "做好女干警工作，维护女干警合法权益。" in page
    assert page.count('class="union"') == 12
