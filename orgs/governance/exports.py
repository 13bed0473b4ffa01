"""The overdue list of a subtree as a table file (unionportal.tabular.write_table)."""

from django.utils.translation import gettext as _

from unionportal.tabular import write_table


def overdue_headers() -> list[str]:
    return [_("code"), _("organisation"), _("kind"), _("rule"), _("requirement"), _("status"),
            _("detail"), _("due")]


def write_overdue(target, fmt: str, lines) -> None:
    """``lines``: (org, rule, check) from selectors.overdue_lines."""
    rows = [
        [org.code, org.name, org.get_kind_display(), str(rule.label), str(rule.requirement),
         check.status.label, check.detail, check.due]
        for org, rule, check in lines
    ]
    write_table(target, fmt, overdue_headers(), rows, title=_("Overdue"))
