from datetime import UTC, datetime, timedelta

import pytest

from servicedesk.appointments import services
from servicedesk.notifications.models import OutboxMessage
from tests.tickets.factories import ticket_logged

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = T0 + timedelta(days=1, hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def ticket(desk, clock):
    desk.requester.time_zone = "America/New_York"
    desk.requester.save()
    ticket = ticket_logged(requester=desk.requester, title="VPN drops every hour")
    OutboxMessage.objects.all().delete()
    return ticket


@pytest.fixture
def propose(desk, ticket):
    def make(**overrides):
        values = {
            "ticket": ticket,
            "actor": desk.l2_agent,
            "kind": "video",
            "starts_at": START,
            "ends_at": START + timedelta(minutes=30),
            "link": "https://meet.example.test/abc-defg",
            "note": "We will look at the VPN client's log together.",
        }
        values.update(overrides)
        return services.session_propose(**values)

    return make
