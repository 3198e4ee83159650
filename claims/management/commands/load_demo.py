from django.core.management.base import BaseCommand, CommandError

from claims.services import DemoDataError, load_demo_data


class Command(BaseCommand):
    help = "Load the demo data set (claims/demo/*.yaml). Running it again changes nothing."

    def handle(self, *args, **options) -> None:
        try:
            report = load_demo_data()
        except DemoDataError as exc:
            raise CommandError(
                f"The demo data has invalid entries; nothing was saved:\n{exc}"
            ) from exc
        self.stdout.write(f"Demo data: {report.summary()}.")
