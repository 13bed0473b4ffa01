"""Print layouts of the services app: a case (application form and approval record) and the
model-worker budget.  The shared renderer (unionportal.pdf) does the rest."""

from django.utils import timezone

from services import selectors
from services.budget import BudgetReport, report_headers
from unionportal.pdf import render_pdf


def case_context(case) -> dict:
    return {"case": case, "timeline": selectors.timeline(case),
            "officers": case.details.get("officers") or {},
            "certificate": case.details.get("certificate") or {},
            "printed": timezone.localtime()}


def render_case_pdf(case) -> bytes:
    return render_pdf("services/pdf/case.html", case_context(case))


def render_budget_pdf(report: BudgetReport) -> bytes:
    return render_pdf("services/pdf/budget.html", {"report": report, "headers": report_headers()})
