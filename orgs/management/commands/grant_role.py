import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orgs import services
from orgs.models import ROLE_FILE_NAMES, Org, Role
from unionportal.commands import InputError, PortalCommand


def resolve_org(reference: str) -> Org:
    """An org by code, else by a name or alias that names exactly one org."""
    matches = list(Org.objects.resolve(reference)[:2])
    if not matches:
        raise InputError(_("no organisation has the code or name “%(ref)s”.") % {"ref": reference})
    if len(matches) > 1:
        raise InputError(_("“%(ref)s” names more than one organisation; use its code.") % {"ref": reference})
    return matches[0]


class Command(PortalCommand):
    help = "Give USERNAME the ROLE (staff, reviewer, scorer, clerk, admin) on the org CODE."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help=", ".join(Role.values))
        parser.add_argument("code", help="org code (or a name or alias naming one org)")
        parser.add_argument("--create", action="store_true", help="create the user if missing")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the user's password from the first line of standard input")

    def handle(self, *args, username, role, code, create=False, password_stdin=False, **options):
        role_key = ROLE_FILE_NAMES.get(role, role.lower())
        if role_key not in Role.values:
            raise InputError(_("unknown role “%(role)s”; use one of %(roles)s.")
                             % {"role": role, "roles": ", ".join(Role.values)})
        org = resolve_org(code)
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise InputError(_("no password on standard input."))
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None and not create:
            raise InputError(_("no user “%(username)s”; add --create to create one.") % {"username": username})
        if password:
            try:  # the same rules as the sign-in pages: length, common, numeric, like the name
                validate_password(password, user or User(username=username))
            except ValidationError as exc:
                raise InputError(*exc.messages) from exc
        try:
            if user is None:
                user = services.create_user(actor=self.actor, username=username, password=password)
            elif password:
                services.set_password(actor=self.actor, user=user, password=password)
            grant, created = services.grant_role(actor=self.actor, user=user, role=role_key, org=org)
        except ValidationError as exc:
            raise InputError(*exc.messages) from exc
        message = _("%(user)s is %(role)s of %(org)s (%(code)s).") if created else _(
            "%(user)s already was %(role)s of %(org)s (%(code)s).")
        self.stdout.write(message % {"user": username, "role": grant.get_role_display(),
                                     "org": org.name, "code": org.code})
