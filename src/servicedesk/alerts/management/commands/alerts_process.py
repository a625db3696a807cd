"""Process the pending raw alert events now (what the background job does after each commit)."""

from django.core.management.base import BaseCommand

from servicedesk.alerts.services import alerts_process


class Command(BaseCommand):
    help = "Process pending monitoring events into alerts and incidents."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=None, help="events per transaction")

    def handle(self, *args, batch=None, **options):
        done = alerts_process(batch=batch)
        self.stdout.write(f"{done} events processed")
