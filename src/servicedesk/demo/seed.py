"""`servicedesk demo`: the demo desk and its month of tickets, in one transaction, once."""

import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings

from servicedesk.core.due import due_sweep
from servicedesk.demo.desk import desk_seed
from servicedesk.demo.status import status_page_seed
from servicedesk.demo.stories import demo_tickets_seed
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import tickets_auto_close


@dataclass
class DemoSeedResult:
    created: dict[str, int]  # what this run added, by kind ("people", "tickets", …)
    seconds: float

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def demo_seed() -> DemoSeedResult:
    """Create whatever of the demo desk is missing; add the demo tickets to a desk that has none.

    Running it again changes nothing. The emails the tickets' history produces are written to the
    outbox like any other, then marked sent: they describe the past and must not go out now.
    """
    started = time.monotonic()
    # Inline jobs: delivery runs right after the commit, finds nothing pending and is done, instead
    # of queueing a thousand no-op tasks on a worker thread or a broker.
    with override_settings(SERVICEDESK_JOBS="inline"), transaction.atomic():
        desk = desk_seed()
        tickets = 0
        if not Ticket.objects.exists():
            last_message = (
                OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
            )
            tickets = demo_tickets_seed(desk)
            # Bring the desk up to now as the periodic jobs would: warnings and breaches of
            # the clocks still running, and closure of what waited too long for a confirmation.
            due_sweep()
            tickets_auto_close()
            OutboxMessage.objects.filter(
                pk__gt=last_message or 0, status=OutboxMessage.Status.PENDING
            ).update(status=OutboxMessage.Status.SENT, sent_at=F("created_at"))
        components = status_page_seed(desk)
    return DemoSeedResult(
        created={**desk.created, "tickets": tickets, "status components": components},
        seconds=time.monotonic() - started,
    )
