"""The import entry points the tests feed files to: the two web uploads and the commands."""

import re

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import services as assessment_services
from tests.assessment.conftest import make_template
from tests.kit import client_for, user_with_role
from unionportal.actors import SYSTEM

ORG_HEADER = ["编码", "名称", "上级编码", "类型"]
SHEET_HEADER = ["序号", "自评等级", "资料齐全", "自评说明"]


def admin_import_client(tree):
    return client_for(user_with_role(tree, "admin"))


def admin_import(client, name: str, content: bytes, dry_run: bool = False) -> str:
    """Upload an org file in the admin (a preview) and, unless ``dry_run``, confirm it; the
    page's text (the form comes back, never a 500)."""
    response = client.post(reverse("admin:orgs_org_import"), {"import_file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    page = response.content.decode()
    if dry_run or 'name="import_file_name"' not in page:  # a file with problems offers no confirm
        return page
    response = client.post(reverse("admin:orgs_org_process_import"), confirm_data(page), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def confirm_data(page: str) -> dict:
    """The hidden fields of a preview's confirm form (django-import-export's)."""
    return {name: re.search(rf'name="{name}"(?: value="([^"]*)")?', page).group(1) or ""
            for name in ("import_file_name", "original_file_name", "format", "resource")}


def open_sheet(tree):
    """The 2026 sheet of kit-a-1 (draft) and its staff member."""
    make_template(tree.a)
    round_ = assessment_services.open_round(actor=SYSTEM, assessor=tree.a, year=2026).round
    return round_.sheets.get(org=tree.a1), user_with_role(tree, "staff")


def sheet_upload(client, name: str, content: bytes) -> list[str]:
    """Upload a filled sheet as its staff member; the messages shown (a redirect, never a 500)."""
    response = client.post("/assessment/2026/kit-a-1/upload/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]
