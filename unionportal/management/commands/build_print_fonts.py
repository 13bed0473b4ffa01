from django.core.management import CommandError

from unionportal import print_fonts
from unionportal.commands import PortalCommand


class Command(PortalCommand):
    help = ("Write the print fonts (Noto CJK SC with everyday hanzi numbered first and cut out as a "
            "small face of their own, so PDFs copy and embed small fonts) to PRINT_FONTS_DIR; faces "
            "already current are kept.")

    def handle(self, *args, **options):
        try:
            written = print_fonts.build()
        except (FileNotFoundError, ValueError) as exc:  # a missing source; a face HarfBuzz cannot cut
            raise CommandError(str(exc)) from exc
        for path in written:
            self.stdout.write(f"written {path}")
        faces, folder = print_fonts.FACES, print_fonts.fonts_dir()
        kept = [face for face in faces if folder / face.file_name not in written]
        self.stdout.write(f"{len(kept)} of {len(faces)} print fonts already current in {folder}.")
