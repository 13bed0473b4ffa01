"""The admin's import button (one mixin: orgs, assessment templates, the model-worker register):
the upload previews what will change and writes nothing; confirm writes, all or nothing, and
audits with the user; a row outside the admin's subtree is a 第 N 行 error; others get 403."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import Template
from orgs.models import Org
from services.models import ModelWorker
from tests.kit import client_for, user_with_role
from unionportal.models import AuditEntry

TEMPLATE_CSV = """考核单位编码,被考核单位编码,年度,序号,考核类别,考核指标,考核内容,扣分方法,权重
{org},,2027,1,职能工作目标,组织建设,按期换届,全面完成得满分,20
{org},,2027,2,,民主管理,指导民主管理,全面完成得满分,25
{org},,2027,3,,素质提升,组织培训,全面完成得满分,25
{org},,2027,4,,双联,帮扶,全面完成得满分,30
"""
WORKERS_CSV = "姓名,身份证号后四位,工作单位编码,级别,获评次数,首次获评年度,是否退休,是否健在\n" \
              "张三,1234,{org},市级,1,2001,否,是\n李四,,{org},省级,2,1998,是,是\n"
ORGS_CSV = "编码,名称,上级编码,类型\nkit-a-9,甲九基层工会,kit-a,基层工会\n"

SITES = {  # admin URL name → (file text in scope, out of scope, what exists after the import)
    "assessment_template": (TEMPLATE_CSV.format(org="kit-a"), TEMPLATE_CSV.format(org="kit-b"),
                            lambda: Template.objects.filter(year=2027).count()),
    "services_modelworker": (WORKERS_CSV.format(org="kit-a-1"), WORKERS_CSV.format(org="kit-b-1"),
                             lambda: ModelWorker.objects.count()),
    "orgs_org": (ORGS_CSV, ORGS_CSV.replace("kit-a", "kit-b"),
                 lambda: Org.objects.filter(code__in=["kit-a-9", "kit-b-9"]).count()),
}


def _upload(client, site, text):
    return client.post(reverse(f"admin:{site}_import"),
                       {"import_file": SimpleUploadedFile("import.csv", text.encode())})


def _confirm_data(page: str) -> dict:
    return {name: re.search(rf'name="{name}"(?: value="([^"]*)")?', page).group(1) or ""
            for name in ("import_file_name", "original_file_name", "format", "resource")}


@pytest.mark.parametrize("site", SITES)
def test_the_preview_shows_the_changes_and_writes_nothing(admin_user, site):
    text, _outside, count = SITES[site]
    client = client_for(admin_user)
    audits = AuditEntry.objects.count()
    response = _upload(client, site, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "确认导入" in page and "尚未写入任何内容" in page
    created = 2 if site == "services_modelworker" else 1
    assert f"新增 {created} 条" in page or f"新增 {created} 个" in page or f"{created} 个新建" in page, page
    assert count() == 0 and AuditEntry.objects.count() == audits


@pytest.mark.parametrize("site", SITES)
def test_confirm_writes_and_audits_with_the_user(admin_user, site):
    text, _outside, count = SITES[site]
    client = client_for(admin_user)
    preview = _upload(client, site, text).content.decode()
    response = client.post(reverse(f"admin:{site}_process_import"), _confirm_data(preview))
    assert response.status_code == 302 and response["Location"] == reverse(f"admin:{site}_changelist")
    assert count() >= 1
    assert AuditEntry.objects.filter(actor=admin_user).exists()
    # The kept file is gone: the same confirm again finds nothing.
    again = client.post(reverse(f"admin:{site}_process_import"), _confirm_data(preview))
    assert again.status_code == 404


@pytest.mark.parametrize("site", SITES)
def test_a_row_outside_the_admins_subtree_is_refused(admin_user, site):
    _text, outside, count = SITES[site]
    response = _upload(client_for(admin_user), site, outside)
    page = response.content.decode()
    assert response.status_code == 200 and "第 2 行" in page
    assert 'name="import_file_name"' not in page  # nothing to confirm
    assert count() == 0


def test_someone_elses_preview_cannot_be_confirmed(tree, admin_user):
    text, _outside, count = SITES["services_modelworker"]
    preview = _upload(client_for(admin_user), "services_modelworker", text).content.decode()
    other = user_with_role(tree, "admin", username="kit-admin-2")
    response = client_for(other).post(reverse("admin:services_modelworker_process_import"), _confirm_data(preview))
    assert response.status_code == 404 and count() == 0


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("role", ["staff", "reviewer", "clerk"])
def test_a_non_admin_is_refused(tree, site, role):
    client = client_for(user_with_role(tree, role))
    assert client.get(reverse(f"admin:{site}_import")).status_code in (403, 404)
    response = _upload(client, site, SITES[site][0])
    assert response.status_code in (403, 404) and SITES[site][2]() == 0
