"""The sheet forms' lean renderer (assessment/forms_render.py) writes exactly the HTML of Django's
widget templates: every field and radio option, unbound, bound, with errors and with text that
needs escaping, rendered both ways; and the whole sheet page, with both renderers."""

import re
from types import SimpleNamespace

import pytest
from django.forms.renderers import DjangoTemplates

from assessment import forms as sheet_forms
from assessment import services
from assessment.forms import ReviewForm, SelfAssessmentForm, UploadForm
from assessment.forms_render import LeanRenderer
from assessment.views import sheet_table
from tests.assessment.conftest import grade_all
from tests.kit import client_for
from unionportal.actors import SYSTEM

NASTY = 'a <b>"&\' 说明'


def _units():
    return [
        SimpleNamespace(pk=11, seq="1", self_grade="full", self_docs=True, self_note=NASTY,
                        review_grade="basic", review_docs=False, review_note=NASTY),
        SimpleNamespace(pk=12, seq="2", self_grade="", self_docs=None, self_note="",
                        review_grade="", review_docs=None, review_note=""),
    ]


def _html(form) -> list[str]:
    """Every field's widget, radio option, label text and error list, as the template uses them."""
    out = []
    for bound in form:
        out += [str(bound), str(bound.errors), bound.id_for_label or ""]
        if bound.widget_type == "radioselect":
            out += [str(option.tag()) for option in bound] + [str(option) for option in bound]
    return out


def _both(make):
    lean, django = make(LeanRenderer()), make(DjangoTemplates())
    lean.is_bound and lean.is_valid()
    django.is_bound and django.is_valid()
    return _html(lean), _html(django)


BAD_FILL = {"version": "x", "grade-11": "nonsense", "docs-11": "on", "note-11": "y" * 3000,
            "grade-12": "basic", "note-12": NASTY}
GOOD_REVIEW = {"version": "3", "rgrade-11": "full", "rdocs-11": "yes", "rnote-11": NASTY,
               "return-12": "on", "why-12": NASTY}
BAD_REVIEW = {"version": "", "rgrade-11": "nope", "rdocs-11": "maybe", "why-12": "z" * 3000}


@pytest.mark.parametrize("data", [None, {"version": "2", "grade-11": "none", "note-11": NASTY}, BAD_FILL])
def test_the_fill_in_form_renders_as_django_renders_it(data):
    def make(renderer):
        return SelfAssessmentForm(data, units=_units(), editable=[11, 12], initial={"version": 1},
                                  renderer=renderer)

    lean, django = _both(make)
    assert lean == django
    assert any('aria-invalid="true"' in html for html in lean) == (data is BAD_FILL)


@pytest.mark.parametrize("returnable", [True, False])
@pytest.mark.parametrize("data", [None, GOOD_REVIEW, BAD_REVIEW])
def test_the_review_form_renders_as_django_renders_it(data, returnable):
    def make(renderer):
        return ReviewForm(data, units=_units(), returnable=returnable, initial={"version": 1}, renderer=renderer)

    lean, django = _both(make)
    assert lean == django
    assert any("selected" in html for html in lean)


def test_the_sheet_forms_use_the_lean_renderer():
    form = SelfAssessmentForm(units=_units(), editable=[11])
    assert isinstance(form.renderer, LeanRenderer)
    assert isinstance(ReviewForm(units=_units()).renderer, LeanRenderer)
    assert isinstance(UploadForm().renderer, LeanRenderer)


@pytest.mark.parametrize("data", [None, {"dry_run": "on"}, {}])
def test_the_upload_form_renders_as_django_renders_it(data):
    lean, django = _both(lambda renderer: UploadForm(data, renderer=renderer))
    assert lean == django
    assert 'type="file"' in lean[0] and ('required' in lean[0])


def _page(client, url, **post):
    response = client.post(url, post) if post else client.get(url)
    # The CSRF token is masked afresh on every render.
    return response.status_code, re.sub(r'value="[A-Za-z0-9]{64}"', 'value="csrf"', response.content.decode())


def _with_django_renderer(monkeypatch, fetch):
    sheet_table.clear()  # (else the table would come from the store, whichever renderer made it)
    monkeypatch.setattr(sheet_forms.SelfAssessmentForm, "default_renderer", DjangoTemplates())
    monkeypatch.setattr(sheet_forms.ReviewForm, "default_renderer", DjangoTemplates())
    monkeypatch.setattr(sheet_forms.UploadForm, "default_renderer", DjangoTemplates())
    page = fetch()
    monkeypatch.undo()
    sheet_table.clear()
    return page


def test_the_sheet_page_is_the_same_page_with_either_renderer(world, users, monkeypatch):
    sheet = world["a1"]
    grade_all(sheet)
    url = "/assessment/2026/kit-a-1/"
    staff = client_for(users["staff"])
    unit = sheet.units.order_by("position").first()
    bad = {"version": sheet.version + 1, "action": "save", f"grade-{unit.pk}": "nonsense",
           f"note-{unit.pk}": NASTY}
    for fetch in (lambda: _page(staff, url), lambda: _page(staff, url + "fill/", **bad)):
        sheet_table.clear()
        lean = fetch()
        assert lean == _with_django_renderer(monkeypatch, fetch)
    assert lean[0] == 400 and 'aria-invalid="true"' in lean[1]
    assert "a &lt;b&gt;&quot;&amp;&#x27; 说明" in lean[1]  # what was typed is kept, escaped


def test_the_review_page_is_the_same_page_with_either_renderer(world, users, monkeypatch):
    sheet = world["a1"]
    grade_all(sheet)
    services.apply_transition(name="submit", actor=SYSTEM, sheet=sheet)
    sheet.refresh_from_db()
    url = "/assessment/2026/kit-a-1/"
    reviewer = client_for(users["reviewer"])
    unit = sheet.units.order_by("position").first()
    bad = {"version": sheet.version, "action": "save", f"rgrade-{unit.pk}": "nonsense", f"rnote-{unit.pk}": NASTY}
    for fetch in (lambda: _page(reviewer, url), lambda: _page(reviewer, url + "review/", **bad)):
        sheet_table.clear()
        lean = fetch()
        assert lean == _with_django_renderer(monkeypatch, fetch)
    assert lean[0] == 400 and f'name="rgrade-{unit.pk}"' in lean[1] and 'aria-invalid="true"' in lean[1]
