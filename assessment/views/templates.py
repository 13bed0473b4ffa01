"""A template's page: its indicators, units and warnings; copy it to another year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from assessment import selectors, services
from assessment.forms import CopyTemplateForm
from assessment.views._common import attempt
from orgs.access import Action, can


@login_required
def template_detail(request, pk):
    template = get_object_or_404(selectors.visible_templates(request.user), pk=pk)
    may_manage = can(request.user, Action.MANAGE, template.assessor)
    form = CopyTemplateForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            done = attempt(request, lambda: services.copy_template(
                actor=request.user, template=template, year=form.cleaned_data["year"]))
            if done.ok:
                copy = done.value
                messages.success(request, _("Copied to %(year)d.") % {"year": copy.year})
                return redirect("assessment:template", pk=copy.pk)
    indicators = list(template.indicators.prefetch_related("items"))
    return render(request, "assessment/template.html", {
        "template": template, "indicators": indicators, "warnings": selectors.template_warnings(template),
        "units": selectors.graded_units(indicators), "may_manage": may_manage, "form": form,
        "assessees": list(selectors.template_assessees(request.user, template)[:200]),
    })
