from django.core.management.base import BaseCommand

from claims.cache import bump_data_version
from claims.facts import refresh_facts
from claims.models import MilestoneFacts


class Command(BaseCommand):
    help = (
        "Rebuild every milestone's stored status facts from its claims: needed only after "
        "claims were changed outside the application (with SQL, say)."
    )

    def handle(self, *args, **options) -> None:
        refresh_facts()
        bump_data_version()
        count = MilestoneFacts.objects.count()
        self.stdout.write(f"Rebuilt the status facts of {count} milestones.")
