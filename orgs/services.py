"""Every write to the union tree and its grants: checked, atomic, serialised and audited.

Each public function takes the ``actor`` (a user, or ``unionportal.actors.SYSTEM`` for seeding
and commands), asks the gate once (``require``) and records the actor in the audit trail.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from orgs.access import Action, holds_anywhere, require
from orgs.models import Grant, Org, OrgAlias, Role
from orgs.signals import org_moved
from unionportal import audit
from unionportal.accounts.events import end_user_sessions
from unionportal.actors import is_system
from unionportal.concurrency import lock
from unionportal.tree import tree_write_lock

# Fields a user edits; the tree fields are mptt's and the version is ours.
ORG_FIELDS = (
    "code", "name", "kind", "parent", "short_name", "members", "workers",
    "contact_person", "phone", "email", "address", "is_active", "is_demo", "is_enterprise",
)


def _check_parent_allowed(actor, parent):
    """Only a superuser (or the system) creates a new tree; others stay in their subtree."""
    if parent is None:
        if not (is_system(actor) or (actor is not None and actor.is_superuser)):
            raise ValidationError({"parent": _("Only a superuser can create a top-level organisation.")})
    else:
        require(actor, Action.MANAGE, parent)


def create_org(*, actor, parent, aliases=(), constraints_checked=False, **fields) -> Org:
    """``constraints_checked``: the caller (an import) has checked sibling names for the whole
    file; Django's check of the conditional constraint would open a savepoint per row."""
    _check_parent_allowed(actor, parent)
    return _create_org(actor=actor, parent=parent, aliases=aliases,
                       constraints_checked=constraints_checked, **fields)


def found_union(*, actor, parent: Org, **fields) -> Org:
    """A workflow step of another room: the union a completed 建会 case founds joins the tree
    under ``parent``.  Unchecked here - the calling service asked the gate for its own action
    (handling the case) - and audited as the real ``actor``."""
    return _create_org(actor=actor, parent=parent, **fields)


def _create_org(*, actor, parent, aliases=(), constraints_checked=False, **fields) -> Org:
    with tree_write_lock(Org):
        org = Org(parent=parent, **fields)
        org.full_clean(validate_constraints=not constraints_checked)
        org.save()
        if aliases:
            _set_aliases(org, aliases)
        audit.record(actor=actor, action="org.create", instance=org, org=org,
                     after=audit.snapshot(org, ORG_FIELDS))
    return org


_LAST = 2_000_000_000  # a nested-set position after any real one


def create_orgs(*, actor, orgs: list[Org], fields_checked=False) -> list[Org]:
    """Create many new orgs at once (an import's), audited: one INSERT per generation instead
    of a locked, validated save per org. Each org's ``parent`` is an existing org or one that
    comes earlier in ``orgs``. The caller has checked the codes, the sibling names and the
    actor's scope for the whole file; each org's own fields are validated here, unless
    ``fields_checked``: the caller ran each org's ``full_clean`` (an import does, to report
    each problem by row) and a second pass would only double its cost."""
    from unionportal.tree import rebuild_tree

    with tree_write_lock(Org):
        next_tree = (Org.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
        pending, created, trees = list(orgs), [], set()
        while pending:
            generation = [org for org in pending if org.parent is None or org.parent.pk is not None]
            if not generation:
                raise ValidationError(_("The parents of the new organisations form a cycle."))
            for org in generation:
                _check_parent_allowed(actor, org.parent)
                if org.parent is None:
                    org.tree_id, org.level, org.lft, org.rght = next_tree, 0, 1, 2
                    next_tree += 1
                else:  # placeholders until the tree is rebuilt below: after the existing
                    # siblings, in file order, as saving them one by one would have placed them
                    org.tree_id, org.level = org.parent.tree_id, org.parent.level + 1
                    org.lft = org.rght = _LAST
                if not fields_checked:
                    org.full_clean(exclude=["parent"], validate_unique=False, validate_constraints=False)
                trees.add(org.tree_id)
            Org.objects.bulk_create(generation, batch_size=500)
            created += generation
            pending = [org for org in pending if org.pk is None]
        for tree_id in sorted(trees):
            rebuild_tree(Org, tree_id)
        audit.record_many([
            audit.entry_for(actor=actor, action="org.create", instance=org, org=org,
                            after=audit.snapshot(org, ORG_FIELDS))
            for org in created
        ])
    return created


def update_org(*, actor, org: Org, expected_version: int | None = None, aliases=None,
               constraints_checked=False, **changes) -> Org:
    """Change an org's fields (and, with ``parent``, move it).  Refuses a stale edit.
    ``constraints_checked``: as for ``create_org``."""
    require(actor, Action.MANAGE, org)
    with tree_write_lock(Org):
        current = lock(org, expected_version)
        before = audit.snapshot(current, ORG_FIELDS)
        old_parent = current.parent
        if "parent" in changes and changes["parent"] != current.parent:
            _check_parent_allowed(actor, changes["parent"])
        for field, value in changes.items():
            setattr(current, field, value)
        current.full_clean(validate_constraints=not constraints_checked)
        current.save_new_version()
        if aliases is not None:
            _set_aliases(current, aliases)
        after = audit.snapshot(current, ORG_FIELDS)
        if before != after or aliases is not None:
            audit.record(actor=actor, action="org.update", instance=current, org=current,
                         before=before, after=after)
        if current.parent != old_parent:  # e.g. open assessment rounds regroup the subtree
            org_moved.send(sender=Org, org=current, old_parent=old_parent, actor=actor)
    return current


def move_org(*, actor, org: Org, new_parent: Org | None) -> Org:
    return update_org(actor=actor, org=org, parent=new_parent)


def delete_org(*, actor, org: Org) -> None:
    """Delete an org that has no children and no records; refuse with a clear message otherwise."""
    require(actor, Action.MANAGE, org)
    with tree_write_lock(Org):
        current = lock(org, None)
        if current.get_children().exists():
            raise ValidationError(
                _("%(name)s still has subordinate unions; move or delete them first.")
                % {"name": current.name}
            )
        before = audit.snapshot(current, ORG_FIELDS)
        try:
            current.delete()
        except ProtectedError as exc:
            kinds = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
            raise ValidationError(
                _("%(name)s still has records (%(kinds)s); it cannot be deleted. "
                  "Mark it inactive instead to keep its history.")
                % {"name": before["name"], "kinds": "、".join(kinds)}
            ) from exc
        audit.record(actor=actor, action="org.delete", instance=current, before=before)


def _set_aliases(org: Org, aliases) -> None:
    wanted = {name.strip() for name in aliases if name and name.strip() and name.strip() != org.name}
    existing = set(org.aliases.values_list("name", flat=True))
    OrgAlias.objects.filter(org=org, name__in=existing - wanted).delete()
    OrgAlias.objects.bulk_create(OrgAlias(org=org, name=name) for name in sorted(wanted - existing))


def add_aliases(*, actor, org: Org, aliases) -> None:
    """Keep every other name the documents use for ``org`` (idempotent)."""
    require(actor, Action.MANAGE, org)
    with transaction.atomic():
        known = set(org.aliases.values_list("name", flat=True))
        new = [name for name in aliases if name and name != org.name and name not in known]
        if new:
            OrgAlias.objects.bulk_create(OrgAlias(org=org, name=name) for name in dict.fromkeys(new))
            audit.record(actor=actor, action="org.aliases", instance=org, org=org,
                         before=sorted(known), after=sorted(known | set(new)))


def _require_manage_user(actor, user) -> None:
    """An org admin may act on an account only when all of its grants lie in their subtree."""
    from orgs.selectors import manageable_users

    if is_system(actor):
        return
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    if actor.is_superuser:
        return
    if user.pk is not None and not manageable_users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied


def grant_role(*, actor, user, role: str, org: Org) -> tuple[Grant, bool]:
    """Give ``user`` the ``role`` on ``org``; returns (grant, created)."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    require(actor, Action.MANAGE, org)
    if user.grants.exists():  # a brand-new account (no grant yet) is the creator's to place
        _require_manage_user(actor, user)
    with transaction.atomic():
        grant, created = Grant.objects.get_or_create(user=user, role=role, org=org)
        if created:
            audit.record(actor=actor, action="grant.create", instance=grant, org=org,
                         after={"user": user.get_username(), "role": role, "org": org.code})
    return grant, created


def revoke_grant(*, actor, grant: Grant) -> None:
    require(actor, Action.MANAGE, grant.org)
    with transaction.atomic():
        before = {"user": grant.user.get_username(), "role": grant.role, "org": grant.org.code}
        audit.record(actor=actor, action="grant.delete", instance=grant, org=grant.org, before=before)
        grant.delete()
        user = grant.user
        if not user.is_superuser and not user.grants.exists():
            # The account's last grant is gone: it must not keep working in open sessions.
            end_user_sessions(user, reason="last grant revoked")


USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


def update_user(*, actor, user, **changes):
    """Change an account's name, e-mail or active flag (audited)."""
    _require_manage_user(actor, user)
    with transaction.atomic():
        current = get_user_model()._default_manager.select_for_update().get(pk=user.pk)
        before = audit.snapshot(current, USER_FIELDS)
        for field, value in changes.items():
            setattr(current, field, value)
        current.full_clean(exclude=["password"])
        current.save()
        after = audit.snapshot(current, USER_FIELDS)
        if before != after:
            audit.record(actor=actor, action="user.update", instance=current, before=before, after=after)
    return current


def set_password(*, actor, user, password: str) -> None:
    _require_manage_user(actor, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="user.password", instance=user)


def create_user(*, actor, username: str, password: str | None, **fields):
    """A portal account.  Without a password the account cannot sign in until one is set.
    Whoever manages some org may create one (and then grants it a role in their subtree)."""
    if not holds_anywhere(actor, Action.MANAGE):
        raise PermissionDenied
    User = get_user_model()
    with transaction.atomic():
        user = User(username=username, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(actor=actor, action="user.create", instance=user, after={"username": username})
    return user
