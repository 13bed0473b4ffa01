"""Wording a careful reader notices (issue 10, defect 8), on the demo data: roles in the
reader's language on the sign-in page, 姓名 over person names, each language's own label
punctuation, history lines in the reader's language, 整改结果 over a rectification's outcome."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from tests.demo_database import demo_database_fixture

demo = demo_database_fixture()


def reader(username, language="zh-hans"):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["django_language"] = language
    return client


def headers(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", "", cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]


@override_settings(DEBUG=True)
def test_the_sign_in_pages_demo_table_names_roles_in_the_readers_language(demo, db):
    page = Client().get("/accounts/login/").content.decode()
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert {"填报员", "审核员", "评分员", "文书", "管理员"} <= set(cells)
    assert not {"staff", "reviewer", "scorer", "clerk", "admin"} & set(cells)


@pytest.mark.parametrize("url", ["/services/org/lf/model-workers/", "/orgs/zz-gzw-gwzgs/governance/"])
def test_person_name_columns_are_headed_xingming(demo, db, url):
    client = reader("demo-admin") if "zz" in url else reader("demo-lf-clerk")
    page = client.get(url).content.decode()
    assert "姓名" in headers(page)
    assert "名称" not in headers(page)


def test_a_rectification_outcome_is_headed_as_such(demo, db):
    page = reader("demo-admin").get("/assessment/unions/zz-gzw-gwzgs/").content.decode()
    assert "整改结果" in headers(page)
    assert "表决结果" not in headers(page)


SHEET = "/assessment/2025/zz-gzw-gwzgs/?assessor=zz-gzw"


def test_labels_use_each_languages_colon(demo, db):
    chinese = reader("demo-admin").get(SHEET).content.decode()
    english = reader("demo-admin", "en").get(SHEET).content.decode()
    assert "截止日期：" in chinese
    assert "Deadline: " in english and "Deadline：" not in english


def test_the_history_of_a_sheet_is_in_the_readers_language(demo, db):
    english = reader("demo-admin", "en").get(SHEET).content.decode()
    history = english[english.index('class="history"'):]
    assert "fully completed" in history
    assert "全面完成" not in history and ">是<" not in history
