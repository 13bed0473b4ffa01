"""The admin's autocomplete fields (select2, from ``autocomplete_fields``) are named after their
labels: select2 draws a combobox of its own beside the hidden <select> the <label> names.

The automatic audit (``accessibility.py``) runs at DOMContentLoaded, before select2 has drawn
its widgets; these tests audit each form again once they are drawn, and once one is opened.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import audit_now
from tests.factories import PASSWORD, UserFactory
from tests.kit import scope_tree

# Every admin form with autocomplete fields (grep autocomplete_fields in the apps' admin.py):
# orgs.admin's grant and org admins, services.admin's AuditedAdmin and its subclasses; each with
# the labels of its autocomplete fields, in the UI's language.
FORMS = {
    "orgs/grant/add/": ["用户", "组织"],
    "orgs/org/add/": ["上级工会"],
    "orgs/org/{a1}/change/": ["上级工会"],  # a parent chosen: select2 shows its name in the combobox
    "services/servicetype/add/": ["所属单位"],  # also a filter_horizontal widget (shared_with)
    "services/budgetrate/add/": ["总工会"],
    "services/modelworker/add/": ["工作单位工会"],
    "services/fundrecord/add/": ["组织"],
    "services/mutualaidround/add/": ["组织"],
    "services/legalpersoncertificate/add/": ["组织"],
}


@pytest.mark.parametrize("path,labels", FORMS.items(), ids=list(FORMS))
def test_autocomplete_fields_are_named_after_their_labels(transactional_db, live_server, sign_in, page,
                                                          path, labels):
    tree = scope_tree()
    UserFactory(username="kit-root", is_superuser=True, is_staff=True)
    sign_in("kit-root", PASSWORD)
    page.goto(f"{live_server.url}/admin/{path.format(a1=tree.a1.pk)}")

    # select2 puts its container right after the <select> it replaces.
    selects = page.locator("select.admin-autocomplete:not([name*=__prefix__])")
    comboboxes = page.locator("select.admin-autocomplete + .select2 .select2-selection[role=combobox]")
    expect(comboboxes.first).to_be_visible()
    expect(comboboxes).to_have_count(selects.count())
    # js/admin.js names them in a ready handler of its own, which jQuery may run a moment after
    # select2's: the audit waits for it (a screen reader meets the page after it too).
    for combobox in comboboxes.all():
        expect(combobox).to_have_attribute("aria-labelledby", re.compile(r"_label$"))
    problems = audit_now(page)
    assert problems == [], "\n".join(problems)

    # A screen reader says the field's label, as for any other field: "上级工会:", not the chosen
    # org's name nor nothing.
    fields = [select.get_attribute("id") for select in selects.all()]
    assert len(fields) == len(labels)
    for field, label in zip(fields, labels, strict=True):
        expect(page.locator(f"label[for={field}]")).to_have_text(re.compile(rf"^{label}[:：]?$"))
        expect(page.locator(f"#{field} + .select2 .select2-selection")).to_have_accessible_name(
            re.compile(rf"^{label}[:：]?$"))

    # Opened, the widget's search box and list of choices are named too.
    comboboxes.first.click()
    expect(page.locator(".select2-search__field")).to_be_visible()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    problems = audit_now(page)
    assert problems == [], "\n".join(problems)
