"""The seam for mailboxes that do not take tickets: a mailbox with another purpose (e.g.
"alerts") hands each stored message to the handler an app registered for it.

It lives in core because mail intake (mailin) and what takes its mail (alerts) are peers: neither
imports the other; both import this.

An app registers in its `AppConfig.ready()`: `mailbox_handler_register("alerts", fn)`. For each
message of such a mailbox, once it is stored raw and passed the automatic-mail checks,
`fn(mail)` runs inside the transaction that marks the message processed: what it writes
commits with that, and if it raises, nothing of it stays and the message is `failed` with the
error (the admin's *Process again* retries it). It returns a short note kept as the message's
reason (e.g. "alert event 12"). mailin knows nothing of what the handler does.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class InboundMail:
    """A stored message as a handler gets it: plain data, no model of mailin."""

    #: the InboundMessage's id, the link to the raw bytes kept by mailin
    inbound_id: int
    mailbox: str
    #: the mailbox's integration reference, as an administrator typed it
    reference: str
    from_address: str
    subject: str
    text: str
    received_at: datetime
    message_id: str = ""
    #: every header by lower-case name, decoded
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[InboundMail], str]
_handlers: dict[str, Handler] = {}


def mailbox_handler_register(purpose: str, fn: Handler) -> None:
    """Hand the messages of mailboxes with this purpose to `fn` (registering again replaces)."""
    _handlers[purpose] = fn


def mailbox_handler_for(purpose: str) -> Handler | None:
    return _handlers.get(purpose)


class NoHandler(Exception):  # noqa: N818 - the message waits as failed until one is registered
    """No app took this purpose: the message is kept, failed with this reason."""
