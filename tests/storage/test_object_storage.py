"""Uploaded files on an S3-compatible object store (moto's server on loopback): evidence,
meeting minutes and case attachments go up through the real views and services, come back
through the scoping gate (streamed by the view; the store is private) and are deleted there;
orphans are found and removed in the bucket as on disk."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.factories import GrantFactory, OrgFactory, UserFactory
from tests.kit import assert_hidden, client_for, user_with_role
from tests.storage.servers import bucket_keys

PDF = b"%PDF-1.4\n%evidence on the object store\n" + bytes(range(256)) * 40


def test_evidence_goes_to_the_bucket_and_back_through_the_gate_and_is_deleted_there(
        s3, sheets, django_capture_on_commit_callbacks):
    endpoint, bucket = s3
    tree, users, sheet = sheets
    unit = sheet.units.get(seq="2")
    staff = client_for(users["staff"])
    response = staff.post(f"/assessment/2026/{tree.a1.code}/fill/", {
        "version": sheet.version, "action": "save",
        f"evidence-{unit.pk}": [SimpleUploadedFile("会议记录.pdf", PDF, "application/pdf")]})
    assert response.status_code == 302
    evidence = unit.evidence.get()
    assert bucket_keys(endpoint, bucket) == {evidence.file.name: PDF}
    assert evidence.file.name.startswith(f"evidence/{sheet.pk}/")
    with pytest.raises(NotImplementedError):
        evidence.file.path  # noqa: B018  (no path on any server's disk)

    url = f"/assessment/evidence/{evidence.pk}/"
    for role in ("staff", "reviewer", "clerk"):
        served = client_for(users[role]).get(url)
        assert served.status_code == 200, role
        assert b"".join(served.streaming_content) == PDF
        assert served["Content-Type"] == "application/pdf"
        assert "attachment" in served["Content-Disposition"]
    stranger = UserFactory(username="stranger")
    GrantFactory(user=stranger, role="reviewer", org=OrgFactory(code="kit-b-2", parent=tree.b).parent)
    assert_hidden(client_for(stranger), url)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/assessment/evidence/{evidence.pk}/delete/")
    assert response.status_code == 302
    assert not unit.evidence.exists()
    assert bucket_keys(endpoint, bucket) == {}
    assert staff.get(url).status_code == 404


def test_minutes_go_to_the_bucket_and_back_through_the_gate(s3, db):
    from orgs.governance.models import Meeting
    from tests.kit import scope_tree

    endpoint, bucket = s3
    tree = scope_tree()
    staff = client_for(user_with_role(tree, "staff"))
    minutes = b"%PDF-1.4\n%minutes\n"
    response = staff.post(reverse("orgs:governance-meeting-new", kwargs={"code": tree.a1.code}), {
        "kind": "standing", "date": "2026-04-02", "attendees": "甲\n乙", "agenda": "议题",
        "minutes_file": SimpleUploadedFile("纪要.pdf", minutes, content_type="application/pdf")})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert bucket_keys(endpoint, bucket) == {meeting.minutes.name: minutes}
    url = reverse("orgs:governance-minutes", kwargs={"code": tree.a1.code, "pk": meeting.pk})
    served = staff.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == minutes
    outsider = UserFactory(username="outsider")
    GrantFactory(user=outsider, role="staff", org=tree.b1)
    assert_hidden(client_for(outsider), url)


def test_a_case_attachment_goes_to_the_bucket_and_back_through_the_gate(s3, db):
    from services import cases
    from services.seeding import SERVICE_TYPES, define_service_type
    from tests.kit import scope_tree
    from tests.services.conftest import catalogue, on_paper

    endpoint, bucket = s3
    tree = scope_tree()
    member_card = next(spec for spec in SERVICE_TYPES if spec.code == "member-card")
    service_type = define_service_type(owner=tree.root, spec=member_card, catalogue=catalogue())[0]
    applicant = user_with_role(tree, "staff")
    content = b"%PDF-1.4 application"
    case = cases.submit_case(actor=applicant, service_type=service_type, applicant=tree.a1,
                             title="甲一申请", member_name="张三",
                             files=[SimpleUploadedFile("材料.pdf", content, "application/pdf")],
                             paper=on_paper(service_type))
    attachment = case.attachments.get()
    assert bucket_keys(endpoint, bucket) == {attachment.file.name: content}
    url = f"/services/attachments/{attachment.pk}/"
    served = client_for(applicant).get(url)
    assert served.status_code == 200 and served.content == content
    assert client_for(user_with_role(tree, "reviewer")).get(url).status_code == 200
    outsider = UserFactory(username="outsider")
    GrantFactory(user=outsider, role="staff", org=tree.b1)
    assert_hidden(client_for(outsider), url)


def test_orphans_in_the_bucket_are_listed_and_removed_and_referenced_files_kept(s3, sheets):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from assessment.models import Evidence

    endpoint, bucket = s3
    _tree, _users, sheet = sheets
    evidence = Evidence(unit=sheet.units.first(), name="a.pdf", content_type="application/pdf", size=len(PDF))
    evidence.file.save("a.pdf", ContentFile(PDF), save=False)
    evidence.save()
    default_storage.save("evidence/999/left-behind.pdf", ContentFile(b"orphan"))
    out = io.StringIO()
    call_command("remove_orphan_files", "--dry-run", "--min-age-minutes", "0", stdout=out)
    assert "evidence/999/left-behind.pdf\t6" in out.getvalue()
    assert evidence.file.name not in out.getvalue()
    assert len(bucket_keys(endpoint, bucket)) == 2
    call_command("remove_orphan_files", "--min-age-minutes", "0", stdout=io.StringIO())
    assert list(bucket_keys(endpoint, bucket)) == [evidence.file.name]
