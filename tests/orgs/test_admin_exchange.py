"""The admin's import and export through django-import-export (unionportal/admin_import.py):
all or nothing, the pending file in the shared storage (a confirm on another app server finds
it), exports scoped to the user's orgs with formula-like text escaped."""

import tempfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import Template
from orgs.models import Org
from services.models import ModelWorker
from tests.kit import client_for
from tests.orgs.test_admin_imports import SITES, TEMPLATE_CSV, _confirm_data
from unionportal.admin_import import PENDING_PREFIX
from unionportal.models import AuditEntry

BAD_ROWS = {  # a good row, then a bad one: nothing of the file is written
    "orgs_org": "编码,名称,上级编码,类型\nkit-a-8,甲八基层工会,kit-a,基层工会\nkit-a-9,甲九基层工会,kit-a,没有这种类型\n",
    "services_modelworker": "姓名,工作单位编码,级别,获评次数,首次获评年度,是否退休\n"
                            "张三,kit-a-1,市级,1,2001,否\n李四,kit-a-1,市级,很多,2001,否\n",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the shared storage, this test's own


def _upload(client, site, text, name="import.csv"):
    return client.post(reverse(f"admin:{site}_import"), {"import_file": SimpleUploadedFile(name, text.encode())})


def _pending() -> set[str]:
    try:
        return set(default_storage.listdir(PENDING_PREFIX)[1])
    except FileNotFoundError:
        return set()


@pytest.mark.parametrize("site", BAD_ROWS)
def test_a_bad_row_writes_nothing_and_offers_no_confirm(admin_user, site):
    before = (Org.objects.count(), ModelWorker.objects.count(), AuditEntry.objects.count())
    pending = _pending()
    page = _upload(client_for(admin_user), site, BAD_ROWS[site]).content.decode()
    assert "第 3 行" in page and 'name="import_file_name"' not in page
    assert (Org.objects.count(), ModelWorker.objects.count(), AuditEntry.objects.count()) == before
    assert _pending() == pending  # a file with problems is not kept


@pytest.mark.parametrize("site", SITES)
def test_the_confirm_works_on_another_server(admin_user, site, monkeypatch, tmp_path):
    text, _outside, count = SITES[site]
    client = client_for(admin_user)
    pending = _pending()
    preview = _upload(client, site, text).content.decode()
    assert len(_pending()) == len(pending) + 1  # in the shared storage, not on this server's disk
    # "Another server": its own, empty temporary directory.
    local = tmp_path / "local-tmp"
    local.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(local))
    response = client.post(reverse(f"admin:{site}_process_import"), _confirm_data(preview))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert count() >= 1 and sorted(_pending()) == sorted(pending)
    assert AuditEntry.objects.filter(actor=admin_user).exists()
    assert list(local.iterdir()) == []


def _export(client, site, **filters) -> str:
    url = reverse(f"admin:{site}_export")
    assert client.get(url).status_code == 200  # the format form
    response = client.post(url, {"format": "1"})  # csv
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig")


def test_the_org_export_is_scoped_and_escapes_formulas(tree, admin_user):
    Org.objects.filter(pk=tree.a1.pk).update(short_name="=HYPERLINK(\"http://x\")")
    body = _export(client_for(admin_user), "orgs_org")
    assert body.splitlines()[0] == "编码,名称,上级编码,类型,简称,会员数,职工数"
    assert tree.a1.code in body and tree.b.code not in body and "kit-b-1" not in body
    assert "'=HYPERLINK" in body


def test_the_model_worker_export_is_scoped_and_escapes_formulas(tree, admin_user):
    ModelWorker.objects.create(name="=cmd|' /C calc'!A0", org=tree.a1, level="city", honours=1, first_year=2001)
    ModelWorker.objects.create(name="乙树劳模", org=tree.b1, level="city", honours=1, first_year=2001)
    body = _export(client_for(admin_user), "services_modelworker")
    assert "'=cmd" in body and "乙树劳模" not in body


def test_the_template_export_imports_back_unchanged(tree, admin_user):
    client = client_for(admin_user)
    preview = _upload(client, "assessment_template", TEMPLATE_CSV.format(org="kit-a")).content.decode()
    client.post(reverse("admin:assessment_template_process_import"), _confirm_data(preview))
    assert Template.objects.filter(year=2027).count() == 1
    body = _export(client, "assessment_template")
    assert "kit-a,,2027,1,职能工作目标,组织建设" in body and "kit-b" not in body
    page = _upload(client, "assessment_template", body).content.decode()
    assert 'name="import_file_name"' in page and "第 " not in page


DUTIES_CSV = "单位编码,主要职责,序号,名称\n{org},组织建设,1,=指导基层组织建设\n{org},组织建设,2,发展会员\n"


def test_duty_items_import_as_a_draft_and_export_scoped(tree, admin_user):
    from duties.models import DutyItem, VersionStatus

    client = client_for(admin_user)
    bad = _upload(client, "duties_dutyitem", DUTIES_CSV.format(org="kit-b-1")).content.decode()
    assert "第 2 行" in bad and 'name="import_file_name"' not in bad  # another tree: refused
    preview = _upload(client, "duties_dutyitem", DUTIES_CSV.format(org="kit-a-1")).content.decode()
    assert "确认导入" in preview and DutyItem.objects.count() == 0
    response = client.post(reverse("admin:duties_dutyitem_process_import"), _confirm_data(preview))
    assert response.status_code == 302
    items = DutyItem.objects.filter(version__catalogue__org=tree.a1)
    assert items.count() == 2 and {i.version.status for i in items} == {VersionStatus.DRAFT}
    assert AuditEntry.objects.filter(actor=admin_user).exists()
    body = _export(client, "duties_dutyitem")
    assert "kit-a-1" in body and "'=指导基层组织建设" in body and "kit-b" not in body
