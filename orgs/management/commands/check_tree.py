from django.utils.translation import gettext as _

from orgs.integrity import tree_faults
from unionportal.commands import InputError, PortalCommand


class Command(PortalCommand):
    help = "Verify the org tree's integrity (nested-set bounds, levels, parents); exit 1 on faults."

    def handle(self, *args, **options):
        faults = tree_faults()
        if faults:
            raise InputError(*faults)
        self.stdout.write(_("The organisation tree is consistent."))
