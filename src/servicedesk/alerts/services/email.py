"""The email integration: a message that reached an alerts mailbox becomes a raw event of the
mailbox's integration, processed like any other (alerts/sources/email.py reads it).

`email_alert_receive` is the handler of mailboxes of purpose "alerts", registered in
`AlertsConfig.ready()` through core/mailboxes.py. It runs in mail intake's transaction: the
raw event and its link to the message commit with the message's new status, or not at all
(the message is then `failed` with the reason and can be processed again).
"""

import json
from dataclasses import asdict

from django.utils.translation import gettext as _

from servicedesk.alerts import selectors
from servicedesk.alerts.models import EmailEvent
from servicedesk.alerts.services.intake import raw_event_store
from servicedesk.alerts.sources import SourceInvalid
from servicedesk.alerts.sources.email import SOURCE
from servicedesk.core.errors import ValidationFailed
from servicedesk.core.mailboxes import InboundMail

PURPOSE = "alerts"


def email_alert_receive(mail: InboundMail) -> str:
    """Store one alert mail as a raw event of its mailbox's integration; the note for the
    message ("alert event 12: trigger zabbix-4711")."""
    integration = selectors.integration_for_reference(mail.reference)
    if integration is None:
        raise ValidationFailed(
            {
                "integration": _("No active email integration is “%(ref)s”.")
                % {"ref": mail.reference}
            }
        )
    existing = EmailEvent.objects.filter(inbound_message_id=mail.inbound_id).first()
    if existing is not None:  # processed again after a fault: the event is stored already
        return f"alert event {existing.raw_event_id}"
    data = {
        "subject": mail.subject,
        "from": mail.from_address,
        "text": mail.text,
        "headers": mail.headers,
        "message_id": mail.message_id,
    }
    try:
        items = SOURCE.parse(data)
    except SourceInvalid as invalid:
        raise ValidationFailed(invalid.errors) from invalid
    event = raw_event_store(
        integration_id=integration.pk,
        body=json.dumps(data, ensure_ascii=False).encode(),
        items=[asdict(item) for item in items],
    )
    EmailEvent.objects.create(
        raw_event=event, inbound_message_id=mail.inbound_id, message_id=mail.message_id[:250]
    )
    item = items[0]
    return f"alert event {event.pk}: {item.action} {item.key}"
