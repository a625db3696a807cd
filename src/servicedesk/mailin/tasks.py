from celery import shared_task

from servicedesk.mailin import services


@shared_task(name="mailin.process", acks_late=True)
def inbound_process() -> int:
    """Process stored messages: after each store commits, and every sweep for what is left."""
    return services.inbound_pending_process()


@shared_task(name="mailin.poll", acks_late=True)
def mailboxes_poll() -> int:
    """Poll the IMAP and Maildir mailboxes whose turn has come (each at its own interval)."""
    return sum(result.stored for result in services.mailboxes_poll())
