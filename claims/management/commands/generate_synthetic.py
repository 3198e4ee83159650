from datetime import date

from django.core.management.base import BaseCommand, CommandError

from bench import synthetic
from claims.cache import bump_data_version


class Command(BaseCommand):
    help = (
        "Write a large, realistic, deterministic synthetic data set for performance tests: "
        "companies across about 20 countries, facilities, relations, shared sources, and "
        "milestones with 1-6 claims each (revisions, slips, achievements, cancellations). "
        "Rows are bulk-inserted (COPY on PostgreSQL): model validation, save() and signals are "
        "bypassed (the rows "
        "still satisfy every constraint), so django-simple-history records no history for "
        "them. Slugs start with 'syn-', so the set sits beside the demo data; --clear removes "
        "an earlier synthetic set first. Example: --companies 5000 --milestones 200000."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--companies", type=int, default=0)
        parser.add_argument("--milestones", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same rows.")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=synthetic.DEFAULT_UNTIL,
            help="The last day a claim may be stated (YYYY-MM-DD; at most today).",
        )
        parser.add_argument("--batch-size", type=int, default=synthetic.BATCH)
        parser.add_argument(
            "--clear", action="store_true", help="Delete every synthetic row first."
        )

    def handle(self, *args, **options) -> None:
        if options["companies"] < 0 or options["milestones"] < 0:
            raise CommandError("--companies and --milestones must be 0 or more.")
        if options["milestones"] and not options["companies"]:
            raise CommandError("Milestones need companies: give --companies 1 or more.")
        if not (options["companies"] or options["clear"]):
            raise CommandError("Say how much to write: --companies N --milestones M.")
        if options["clear"]:
            deleted = synthetic.clear()
            self.stdout.write(
                "Deleted synthetic rows: "
                + ", ".join(f"{n} {name}" for name, n in deleted.items() if n)
            )
        if options["companies"]:
            report = synthetic.generate(
                companies=options["companies"],
                milestones=options["milestones"],
                seed=options["seed"],
                until=options["until"],
                batch_size=options["batch_size"],
                log=self.stdout.write if options["verbosity"] > 1 else lambda message: None,
            )
            self.stdout.write(f"Synthetic data: {report.summary()}.")
        # Bulk writes send no signals: tell the page cache the data changed.
        bump_data_version()
