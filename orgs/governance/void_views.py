"""The void page of a governance record (作废): the record, what depends on it, the form.

Outside the user's scope → 404; a user who may not void it (any longer) → 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgs.access import get_visible_org_or_404
from orgs.governance import voiding
from orgs.governance.forms import VoidForm
from unionportal.concurrency import run_on_form


def void_context(user, record) -> dict:
    """What a record's page needs to offer the void form (nothing when the user may not)."""
    if record is None or not voiding.may_void(user, record):
        return {}
    kind = voiding.kind_of(record)
    org = voiding.org_of(record)
    return {"void_form": VoidForm(),
            "void_url": reverse("orgs:governance-void", kwargs={"code": org.code, "kind": kind, "pk": record.pk}),
            "void_dependents": voiding.dependents(record)}


@login_required
@require_http_methods(["GET", "POST"])
def void_record(request, code, kind, pk):
    org = get_visible_org_or_404(request.user, code)
    model = voiding.VOIDABLE.get(kind)
    if model is None:
        raise Http404
    record = get_object_or_404(model, pk=pk, **{model.org_path: org})
    back = reverse("orgs:governance", kwargs={"code": org.code}) + f"#{voiding.ANCHORS[kind]}"
    if record.voided_at is not None:
        messages.info(request, _("This record was voided already."))
        return redirect(back)
    if not voiding.may_void(request.user, record):
        raise PermissionDenied
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_on_form(form, lambda: voiding.void_record(actor=request.user, record=record,
                                                                reason=form.cleaned_data["reason"]))
        if outcome.ok:
            messages.success(request, _("The record was voided. It stays listed, struck through."))
            return redirect(back)
    return render(request, "orgs/governance/void.html", {
        "org": org, "record": record, "kind_label": voiding.KIND_LABELS[kind], "back": back,
        "void_form": form, "void_url": request.path, "void_dependents": voiding.dependents(record),
        "void_days": voiding.void_days(),
    })
