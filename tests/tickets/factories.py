from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Ticket


def ticket_logged(*, requester, actor=None, title="Cannot print", **kwargs) -> Ticket:
    """A ticket logged through the real service (so number, timeline and clocks are right)."""
    kwargs.setdefault("channel", Channel.PORTAL)
    return services.ticket_log(actor=actor or requester, requester=requester, title=title, **kwargs)
