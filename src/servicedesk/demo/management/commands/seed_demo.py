from django.core.management.base import BaseCommand

from servicedesk.demo.desk import demo_logins
from servicedesk.demo.seed import demo_seed


class Command(BaseCommand):
    help = "Seed the demo desk: people, groups, catalog and a month of tickets. Safe to re-run."

    def handle(self, *args, **options):
        result = demo_seed()
        if result.created_anything:
            added = ", ".join(f"{n} {kind}" for kind, n in result.created.items() if n)
            self.stdout.write(f"Demo data seeded in {result.seconds:.1f} s: {added}.")
        else:
            self.stdout.write("The demo data is already in place.")
        rows = [("username", "password", "role", "group"), *demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        rows.insert(1, tuple("-" * width for width in widths))
        self.stdout.write("\nDemo logins:")
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
