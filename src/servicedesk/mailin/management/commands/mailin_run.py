"""Poll the mailboxes and process stored mail now (what the periodic jobs do), e.g. from cron
on a desk without workers, or to drain a backlog."""

import time

from django.core.management.base import BaseCommand

from servicedesk.mailin import selectors, services


class Command(BaseCommand):
    help = "Poll due IMAP/Maildir mailboxes and process stored messages."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="poll only this mailbox, whatever its turn")
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="repeat until a round takes and processes nothing",
        )

    def handle(self, *args, mailbox=None, until_idle=False, **options):
        while True:
            if mailbox:
                box = services.mailbox_for(mailbox)
                results = [services.mailbox_poll(mailbox_id=box.pk, force=True)]
            else:
                results = services.mailboxes_poll()
            stored = 0
            for result in filter(None, results):
                stored += result.stored
                line = f"{result.mailbox}: {result.stored} stored of {result.seen} taken"
                self.stdout.write(line + (f" ({result.error})" if result.error else ""))
            processed = services.inbound_pending_process()
            self.stdout.write(f"processed: {processed}")
            if not until_idle:
                return
            if not stored and not processed and not selectors.inbound_received_ids(limit=1):
                return
            if not stored and not processed:
                time.sleep(0.2)  # another worker holds what is left
