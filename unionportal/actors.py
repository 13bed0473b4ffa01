"""Who acts: a signed-in user, or the portal itself (seeding, commands, scheduled jobs).

Who acts is always recorded; whether they may is the gate's question (``orgs.access.require``).
Pass ``SYSTEM`` where no person acts; the audit trail shows it as the system (系统), and the
gate lets it through.  A foreign key such as ``created_by`` takes ``user_or_none(actor)``.
"""

from django.utils.translation import gettext_lazy as _


class SystemActor:
    """The portal acting on its own behalf.  Not a user: it has no row, no grants, no session."""

    is_system = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = True  # reaches every org: seeding and jobs act on the whole tree
    is_staff = False
    pk = None
    id = None
    username = "system"
    label = _("system")

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return str(self.label)

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self):  # one instance, also across pickling (background jobs)
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    """Whether ``actor`` is the portal itself."""
    return actor is SYSTEM


def user_or_none(actor):
    """The user to store in a foreign key such as ``created_by``: None for the system."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def actor_label(actor) -> str:
    """How an actor is named in messages and logs: the username, or 系统 for the system."""
    if is_system(actor):
        return str(SYSTEM.label)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()
