from django.core.management.base import BaseCommand, CommandError

from servicedesk.demo.bulk import SEED, tickets_bulk_create


class Command(BaseCommand):
    help = (
        "Bulk-create COUNT tickets for benchmarks (COPY on PostgreSQL), adding the demo desk's "
        "people and catalog first if they are missing. Each run adds more tickets."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="how many tickets to create")
        parser.add_argument("--batch-size", type=int, default=20_000)
        parser.add_argument(
            "--seed", type=int, default=SEED, help="random seed (default %(default)s)"
        )

    def handle(self, *args, count: int, batch_size: int, seed: int, verbosity: int, **options):
        if count < 1 or batch_size < 1:
            raise CommandError("COUNT and --batch-size must be positive.")
        result = tickets_bulk_create(
            count=count, batch_size=batch_size, progress=verbosity > 0, seed=seed
        )
        rate = result.created / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Created {result.created:,} tickets in {result.seconds:.1f} s ({rate:,.0f}/s)"
            + (
                f", and {result.requesters_created:,} requesters."
                if result.requesters_created
                else "."
            )
        )
