"""Public replies and internal notes, with their attachments."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import (
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from servicedesk.tickets import events
from servicedesk.tickets.models import (
    Attachment,
    Ticket,
)
from servicedesk.tickets.permissions import can_comment
from servicedesk.tickets.services._base import (
    _lock,
    _mark_first_response,
    _notify_requester,
    _resume,
    _save,
)
from servicedesk.tickets.states import (
    Action,
    HoldReason,
    Status,
)


@transaction.atomic
def ticket_comment(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    public: bool = True,
    files: list[UploadedFile] = (),
    origin: dict | None = None,
):
    """Add a public reply or an internal note, with attachments.

    A staff reply is the first response if none came before and is emailed to the requester;
    a requester's reply to a ticket awaiting them puts it back in progress. `origin` is kept on
    the timeline row for an intake channel that is not the desk's forms (an email's
    `{"via": "email", "inbound_message": id, "full_text": …}`).
    """
    ticket = _lock(ticket)
    if not can_comment(actor, ticket, public=public):
        raise NotPermitted(_("You may not add internal notes."))
    errors: dict[str, str] = {}
    if not (body or "").strip() and not files:
        errors["body"] = _("Write a message or attach a file.")
    errors |= _file_errors(files)
    if errors:
        raise ValidationFailed(errors)
    if not ticket.is_open and ticket.status != Status.RESOLVED:
        raise TransitionNotAllowed({"status": _("This ticket is closed; please log a new one.")})
    now = timezone.now()
    event = events.event_comment(
        ticket, actor, now, body=body.strip(), public=public, **(origin or {})
    )
    for upload in files:
        Attachment.objects.create(
            ticket=ticket,
            event=event,
            file=upload,
            original_name=upload.name[:255],
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size,
            uploaded_by=actor,
            is_public=public,
            created_at=now,
        )
    is_requester = actor.pk == ticket.requester_id
    fields: list[str] = []
    if (
        is_requester
        and ticket.status == Status.ON_HOLD
        and ticket.hold_reason == HoldReason.AWAITING_CALLER
    ):
        _resume(ticket, actor, Action.REQUESTER_REPLY, now)
        return event
    if public and not is_requester and is_staff_member(actor):
        fields += _mark_first_response(ticket, actor, now)
        _notify_requester(
            ticket,
            "ticket.reply",
            key=f"reply:{event.pk}",
            context={"body": body.strip(), "author": actor.display_name},
        )
    _save(ticket, now, fields)
    return event


def _file_errors(files) -> dict[str, str]:
    refused = attachment_refusals(files)
    return {"files": next(iter(refused.values()))} if refused else {}


def attachment_refusals(files) -> dict[str, str]:
    """{file name: reason} for each file the desk does not take (the size limit), so an intake
    channel (a mail with many files) can keep the others and say which it left out."""
    limit = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES
    return {
        upload.name: _("%(name)s is larger than the limit of %(mb)s MB.")
        % {"name": upload.name, "mb": limit // (1024 * 1024)}
        for upload in files
        if upload.size > limit
    }
