"""Loading the seed organisations and the demo data into the database (idempotent)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from fixtures.demo_orgs import DEMO_ACCOUNTS, DEMO_BASE_UNIONS, DEMO_EXTRA_GRANTS
from fixtures.seed_orgs import SEED_ORGS, SeedOrg, zhuzhou_aliases
from orgs import services
from orgs.models import Grant, Org, Role
from unionportal.actors import SYSTEM
from unionportal.commands import progress
from unionportal.tree import tree_write_lock


def _ensure_org(seed: SeedOrg, *, is_demo: bool) -> tuple[Org, bool]:
    parent = Org.objects.get(code=seed.parent) if seed.parent else None
    org = Org.objects.filter(code=seed.code).first()
    if org is None:
        org = services.create_org(actor=SYSTEM, parent=parent, code=seed.code, name=seed.name,
                                  kind=seed.kind, is_demo=is_demo, is_enterprise=seed.is_enterprise)
        return org, True
    changes = {}
    if (org.name, org.kind) != (seed.name, seed.kind):
        changes.update(name=seed.name, kind=seed.kind)
    if org.parent_id != (parent.pk if parent else None):
        changes["parent"] = parent
    if changes:
        org = services.update_org(actor=SYSTEM, org=org, **changes)
    return org, False


def seed_orgs() -> int:
    """The organisations of interfaces.md with the aliases the documents use; returns # created."""
    created = 0
    aliases = zhuzhou_aliases()
    with tree_write_lock(Org):
        for seed in progress(SEED_ORGS, desc="orgs"):
            org, was_created = _ensure_org(seed, is_demo=False)
            created += was_created
            services.add_aliases(actor=SYSTEM, org=org, aliases=aliases.get(seed.code, []))
    return created


def seed_demo_orgs() -> int:
    created = 0
    with tree_write_lock(Org):
        for seed in progress(DEMO_BASE_UNIONS, desc="demo"):
            created += _ensure_org(seed, is_demo=True)[1]
    return created


def seed_demo_accounts() -> None:
    """One account per role, reset to its demo password."""
    User = get_user_model()
    with transaction.atomic():
        for username, password, role, code in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.create_user(actor=SYSTEM, username=username, password=password)
            elif not user.check_password(password):
                services.set_password(actor=SYSTEM, user=user, password=password)
            services.grant_role(actor=SYSTEM, user=user, role=role, org=Org.objects.get(code=code))
        for username, role, code in DEMO_EXTRA_GRANTS:
            services.grant_role(actor=SYSTEM, user=User.objects.get(username=username), role=role,
                                org=Org.objects.get(code=code))


def seed() -> list[str]:
    return [_("Organisations: %(count)d new.") % {"count": seed_orgs()}]


def seed_demo() -> list[str]:
    """Demo base unions, then one account per role (later demo steps may act as them)."""
    lines = [_("Demo base unions: %(count)d new.") % {"count": seed_demo_orgs()}]
    seed_demo_accounts()
    return lines


def demo_usernames() -> list[str]:
    return [account[0] for account in DEMO_ACCOUNTS]


def demo_accounts_loaded() -> bool:
    return Grant.objects.filter(user__username__in=demo_usernames()).exists()


def demo_accounts_shown() -> list[tuple[str, str, str, str]]:
    """(username, password, role in the reader's language (填报员…), org code) of each account."""
    return [(username, password, Role(role).label, code)
            for username, password, role, code in DEMO_ACCOUNTS]
