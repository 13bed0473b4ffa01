from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def demo_accounts():
    """The demo accounts and their passwords, for the sign-in page: only on a development
    machine (debug on) whose database has the demo data; else nothing."""
    from orgs.seeding import demo_accounts_loaded, demo_accounts_shown

    if not settings.DEBUG or not demo_accounts_loaded():
        return []
    return demo_accounts_shown()
