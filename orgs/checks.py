"""Deploy check: no demo account may sign in on a production portal."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError


def active_demo_accounts() -> list[str]:
    from django.contrib.auth import get_user_model

    from orgs.seeding import demo_usernames

    users = get_user_model()._default_manager.filter(username__in=demo_usernames(), is_active=True)
    return sorted(user.username for user in users if user.has_usable_password())


@register(Tags.security, deploy=True)
def check_no_demo_accounts(app_configs=None, **kwargs):
    try:
        active = active_demo_accounts()
    except DatabaseError:  # no database yet (or no tables): nothing can sign in either
        return []
    if not active:
        return []
    return [Error(
        f"Demo accounts with public passwords can sign in: {', '.join(active)}.",
        hint="Deactivate or delete them (admin, or `manage.py shell`), or deploy on a database "
             "seeded without --demo.",
        id="unionportal.E101",
    )]
