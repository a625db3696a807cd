"""A session as an iCalendar invitation (RFC 5545, iTIP RFC 5546) and the email parts that carry
it (iMIP, RFC 6047): `text/calendar; method=…` beside the text body, and `invite.ics` attached.

The UID never changes; SEQUENCE rises with each change, so a calendar program updates or removes
the event it already has. Times are written in UTC, which every calendar program reads.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from servicedesk.appointments.models import Session
from servicedesk.appointments.states import Kind, Status

REQUEST = "REQUEST"
CANCEL = "CANCEL"

_PARTSTAT = {
    Status.ACCEPTED: "ACCEPTED",
    Status.DECLINED: "DECLINED",
}


def _address(person, *, role: str | None = None, partstat: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.display_name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["CUTYPE"] = vText("INDIVIDUAL")
    if partstat:
        address.params["PARTSTAT"] = vText(partstat)
        address.params["RSVP"] = vText("TRUE")
    return address


def session_summary(session: Session) -> str:
    kind = "Phone call" if session.kind == Kind.PHONE else "Video call"
    return f"{kind}: {session.ticket.number} {session.ticket.title}"[:250]


def session_calendar(session: Session, *, method: str, now: datetime) -> str:
    """The session's VCALENDAR with METHOD `method` (REQUEST or CANCEL), as text."""
    calendar = Calendar()
    calendar.add("prodid", "-//servicedesk//sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", session_summary(session))
    url = settings.SITE_URL + reverse("portal-ticket", args=[session.ticket.number])
    description = "\n\n".join(part for part in (session.note, url) if part)
    event.add("description", description)
    event.add("location", session.place)
    if session.kind == Kind.VIDEO and session.link:
        event.add("url", session.link)
    event.add("organizer", _address(session.organizer))
    partstat = _PARTSTAT.get(session.status, "NEEDS-ACTION") if method == REQUEST else None
    event.add("attendee", _address(session.requester, role="REQ-PARTICIPANT", partstat=partstat))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def invitation_parts(session: Session, *, method: str, now: datetime) -> list[dict]:
    """The email parts of an invitation: the calendar beside the text body (what Outlook,
    Google Calendar and Thunderbird show as an invitation with its buttons) and the same
    calendar as `invite.ics`, for programs that only import attachments."""
    text = session_calendar(session, method=method, now=now)
    return [
        {"content_type": "text/calendar", "params": {"method": method}, "content": text},
        {
            "content_type": "application/ics",
            "params": {"name": "invite.ics"},
            "filename": "invite.ics",
            "content": text,
        },
    ]
