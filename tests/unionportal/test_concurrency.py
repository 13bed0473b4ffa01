"""The concurrency kit: Versioned, lock(), ConflictError and the form helper."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from orgs import services
from orgs.models import Org
from tests.kit import scope_tree
from unionportal.actors import SYSTEM
from unionportal.concurrency import (
    ConflictError,
    Versioned,
    bump_versions,
    is_conflict,
    lock,
    run_on_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return scope_tree()


def test_org_is_versioned_and_there_is_one_conflict_error():
    assert issubclass(Org, Versioned)
    assert not hasattr(services, "ConflictError")  # the old alias is gone: one class
    assert issubclass(ConflictError, ValidationError)
    assert ConflictError().code == "conflict"


def test_save_new_version_bumps_once(tree):
    org = Org.objects.get(pk=tree.a1.pk)
    start = org.version
    org.name = "甲一（改）"
    org.save_new_version(update_fields=["name"])
    fresh = Org.objects.get(pk=org.pk)
    assert (fresh.version, fresh.name) == (start + 1, "甲一（改）")
    assert bump_versions(Org.objects.filter(pk__in=[tree.a1.pk, tree.a2.pk])) == 2
    assert Org.objects.get(pk=tree.a1.pk).version == start + 2


def test_lock_returns_the_fresh_row_or_refuses_a_stale_version(tree):
    with transaction.atomic():
        current = lock(tree.a1, tree.a1.version)
        assert current.pk == tree.a1.pk and current is not tree.a1
    Org.objects.filter(pk=tree.a1.pk).update(version=tree.a1.version + 1)
    with pytest.raises(ConflictError) as refused, transaction.atomic():
        lock(tree.a1, tree.a1.version)
    assert tree.a1.name in refused.value.messages[0]
    with transaction.atomic():  # None: an internal step locks without comparing
        assert lock(tree.a1, None).version == tree.a1.version + 1


def test_lock_takes_a_queryset_and_a_message(tree):
    queryset = Org.objects.select_related("parent").filter(pk=tree.a1.pk)
    with pytest.raises(ConflictError) as refused, transaction.atomic():
        lock(queryset, 99, message="%(name)s is now version %(version)s")
    assert refused.value.messages == [f"{tree.a1.name} is now version {tree.a1.version}"]
    with pytest.raises(ConflictError) as refused, transaction.atomic():
        lock(queryset, 99, message=lambda row: f"v{row.version}")
    assert refused.value.messages == [f"v{tree.a1.version}"]


def test_a_stale_service_call_is_a_conflict(tree):
    services.update_org(actor=SYSTEM, org=tree.a1, expected_version=tree.a1.version, phone="1")
    with pytest.raises(ConflictError):
        services.update_org(actor=SYSTEM, org=tree.a1, expected_version=tree.a1.version, phone="2")


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


def _valid_form():
    form = NameForm({"name": "甲"})
    assert form.is_valid()
    return form


def test_run_on_form_returns_the_value_when_the_service_succeeds():
    form = _valid_form()
    outcome = run_on_form(form, lambda: 42)
    assert outcome.ok and outcome.value == 42 and outcome.status == 200 and not form.errors


def test_run_on_form_puts_field_errors_on_fields_and_the_rest_above():
    form = _valid_form()

    def refuse():
        raise ValidationError({"name": "taken", "parent": "not yours"})

    outcome = run_on_form(form, refuse)
    assert outcome.status == 400 and not outcome.ok and not outcome.conflict
    assert form.errors["name"] == ["taken"]
    assert form.non_field_errors() == ["not yours"]  # the form has no "parent" field
    assert sorted(outcome.messages) == ["not yours", "taken"]


def test_run_on_form_maps_a_conflict_to_409():
    form = _valid_form()

    def stale():
        raise ConflictError("changed meanwhile")

    outcome = run_on_form(form, stale)
    assert outcome.status == 409 and outcome.conflict
    assert form.non_field_errors() == ["changed meanwhile"]
    assert is_conflict(ValidationError("x", code="conflict")) and not is_conflict(ValidationError("x"))


def test_run_on_form_without_a_form_keeps_the_messages():
    def refuse():
        raise ValidationError("no")

    outcome = run_on_form(None, refuse)
    assert outcome.status == 400 and outcome.messages == ["no"]
