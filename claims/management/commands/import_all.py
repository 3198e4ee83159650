from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.backup import BackupError, import_all


class Command(BaseCommand):
    help = "Restore a JSON backup written by export_all into an empty, migrated database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            counts = import_all(file)
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        self.stdout.write(f"Restored {sum(counts.values())} records from {file}.")
