"""A form renderer for the sheet's forms: Django's widget templates, written out in Python.

A 20-unit sheet renders some 140 widgets, each through two to four small templates (the
widget, its options, ``attrs.html``); that was two fifths of the sheet page's CPU time.
``LeanRenderer`` produces the same HTML as those templates for the widgets the sheet's forms
use (text, hidden, checkbox, textarea, select, radio options) and an empty error list, and
hands every other template to Django; tests/assessment/test_forms_render.py renders each case
both ways and compares the strings, so names, ids, labels and aria attributes stay identical.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """``{{ value }}`` / ``{{ value|stringformat:'s' }}`` of the templates: escaped unless safe."""
    return str(conditional_escape(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (text, hidden, checkbox, radio option…)"""
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _input_option(widget: dict) -> str:
    """django/forms/widgets/input_option.html (radio_option.html includes it)"""
    if not widget.get("wrap_label"):
        return _input(widget)
    element_id = widget["attrs"].get("id")
    label_for = f' for="{_text(element_id)}"' if element_id else ""
    # (An included template keeps its trailing newline; only the outermost one is stripped.)
    return f"<label{label_for}>{_input(widget)}\n {_text(widget['label'])}</label>"


def _textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html"""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(widget: dict) -> str:
    """django/forms/widgets/select_option.html"""
    return f'<option value="{_text(widget["value"])}"{_attrs(widget["attrs"])}>{_text(widget["label"])}</option>'


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html; None (Django renders it) for options of another kind."""
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            out.append("\n  " + _option(option) + "\n")  # select_option.html's own newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


LEAN = {
    WIDGETS + "input.html": _input,
    WIDGETS + "text.html": _input,
    WIDGETS + "hidden.html": _input,
    WIDGETS + "checkbox.html": _input,
    WIDGETS + "file.html": _input,
    WIDGETS + "radio_option.html": _input_option,
    WIDGETS + "input_option.html": _input_option,
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
    WIDGETS + "select_option.html": _option,
}
EMPTY_ERRORS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}


class LeanRenderer(DjangoTemplates):
    """Django's own renderer, but the sheet's widgets are written out in Python (same HTML)."""

    def render(self, template_name, context, request=None):
        build = LEAN.get(template_name)
        if build is not None and "widget" in context:
            html = build(context["widget"])
            if html is not None:
                return html.strip()  # as BaseRenderer.render does
        elif template_name in EMPTY_ERRORS and not context.get("errors"):
            return ""  # ul.html: {% if errors %}…{% endif %}
        return super().render(template_name, context, request)


lean_renderer = LeanRenderer()
