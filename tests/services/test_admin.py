"""The services admin: "delete selected" audits each row and deletes only rows in the scope."""

import pytest

from services.models import BudgetRate, FundRecord
from tests.factories import GrantFactory, UserFactory
from tests.kit import client_for, user_with_role
from unionportal.models import AuditEntry


def _root_admin_client(tree):
    admin = UserFactory(username="root-admin")
    GrantFactory(user=admin, role="admin", org=tree.root)
    return client_for(admin)


@pytest.mark.parametrize("model", [FundRecord, BudgetRate])
def test_delete_selected_writes_one_audit_entry_per_row(tree, model):
    if model is FundRecord:
        rows = [FundRecord.objects.create(org=org, year=2025, payroll=1000) for org in (tree.a, tree.a1, tree.b)]
    else:
        rows = [BudgetRate.objects.create(org=tree.root, year=year) for year in (2024, 2025, 2026)]
    client = _root_admin_client(tree)
    name = model._meta.model_name
    response = client.post(f"/admin/services/{name}/", {
        "action": "delete_selected", "_selected_action": [row.pk for row in rows], "post": "yes"})
    assert response.status_code == 302
    assert not model.objects.exists()
    entries = AuditEntry.objects.filter(action=f"{name}.delete")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(row.pk) for row in rows)
    assert all(entry.before for entry in entries)


def test_delete_selected_only_deletes_rows_in_scope(tree):
    inside = FundRecord.objects.create(org=tree.a1, year=2025, payroll=1000)
    outside = FundRecord.objects.create(org=tree.b1, year=2025, payroll=1000)
    client = client_for(user_with_role(tree, "admin"))  # admin of branch A
    client.post("/admin/services/fundrecord/", {
        "action": "delete_selected", "_selected_action": [inside.pk, outside.pk], "post": "yes"})
    assert list(FundRecord.objects.all()) == [outside]
    assert list(AuditEntry.objects.filter(action="fundrecord.delete").values_list("object_id", flat=True)) == [str(inside.pk)]
