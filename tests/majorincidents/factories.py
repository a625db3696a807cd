"""Major incidents made through the real services, so the timeline and the reminder are right."""

from servicedesk.majorincidents import services
from tests.accounts.factories import UserFactory
from tests.tickets.factories import ticket_logged


def p1_logged(desk, *, requester=None, title="Mail server down"):
    """A P1 incident with the L3 group, logged by its engineer."""
    return ticket_logged(
        requester=requester or desk.requester,
        actor=desk.l3_agent,
        title=title,
        impact="high",
        urgency="high",
        assignment_group=desk.l3,
    )


def major_declared(desk, **kwargs):
    ticket = p1_logged(desk, requester=kwargs.pop("requester", None))
    kwargs.setdefault("bridge_phone", "+40 21 555 0100")
    return services.major_declare(ticket=ticket, actor=desk.l3_agent, **kwargs)


def outage_reported(desk, *, tickets: int, people: int):
    """`tickets` user tickets about the same outage from `people` requesters (round robin)."""
    requesters = [
        UserFactory(username=f"user{i}", language="ro" if i % 2 else "en") for i in range(people)
    ]
    return requesters, [
        ticket_logged(requester=requesters[i % people], title=f"No mail ({i})")
        for i in range(tickets)
    ]
