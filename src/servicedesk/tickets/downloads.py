"""How a ticket's file leaves the desk: always as a download, never rendered by the browser."""

from django.http import FileResponse

from servicedesk.tickets import selectors


def attachment_response(*, user, number: str, attachment_id: int) -> FileResponse:
    """The file, to whoever may see both the ticket and the attachment (404 otherwise)."""
    ticket = selectors.ticket_get(user=user, number=number)
    attachment = selectors.attachment_get(user=user, ticket=ticket, attachment_id=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.safe_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
