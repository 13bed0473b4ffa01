from django.core.management import CommandError

from unionportal import print_fonts
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = ("Write the print fonts (Noto CJK SC with everyday hanzi numbered first, so PDFs embed "
            "small font subsets) to PRINT_FONTS_DIR; faces already current are kept.")

    def handle(self, *args, **options):
        try:
            written = print_fonts.build()
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        for path in written:
            self.stdout.write(f"written {path}")
        self.stdout.write(f"{len(print_fonts.FACES) - len(written)} of {len(print_fonts.FACES)} "
                          f"print fonts already current in {print_fonts.fonts_dir()}.")
