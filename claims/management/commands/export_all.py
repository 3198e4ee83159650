from pathlib import Path

from django.core.management.base import BaseCommand

from claims.backup import export_all


class Command(BaseCommand):
    help = "Write every tracker record, its history and the editors to a JSON backup file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        counts = export_all(file)
        total = sum(counts.values())
        self.stdout.write(f"Wrote {total} records to {file}.")
