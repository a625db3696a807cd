"""A session with the requester in a real browser, in English and Romanian: an agent proposes a
video call from the ticket's console page, the requester accepts it on their portal page, the
agent sees the answer and the console's list; no serious or critical axe violation, no English
left on the Romanian pages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from servicedesk.appointments.models import Session
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.e2e.conftest import page_problems
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_an_agent_proposes_a_session_and_the_requester_accepts_it(person, db, lang):
    agent = AgentFactory(username="mihai", first_name="Mihai", language=lang)
    SupportGroupFactory(name="Applications", tier=2, members=[agent])
    requester = UserFactory(
        username="ana", first_name="Ana", language=lang, time_zone="America/New_York"
    )
    ticket = ticket_logged(requester=requester, title="VPN drops every hour")
    starts = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    found: dict[str, list[str]] = {}

    desk = person(agent, lang=lang)
    desk.go(f"/desk/tickets/{ticket.number}/#sessions")
    panel = desk.page.locator("#sessions")
    panel.get_by_text(desk.t("Video call"), exact=True).click()
    desk.page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    desk.page.select_option("#id_duration", "45")
    desk.page.fill("#id_link", "https://meet.example.test/vpn-ana")
    desk.page.fill("#id_note", "We will look at the VPN client's log together.")
    desk.submit(panel.get_by_role("button", name=desk.t("Send the invitation")))
    session = Session.objects.get()
    assert session.starts_at == starts
    assert session.ends_at == starts + timedelta(minutes=45)
    assert desk.page.locator(f"#session-{session.pk}").get_by_text(desk.t("Proposed")).count()
    assert "America/New_York" in desk.page.locator(f"#session-{session.pk}").inner_text()
    desk.go(f"/desk/tickets/{ticket.number}/")  # the page as it is read later, without the notice
    found["ticket page"] = page_problems(desk)
    invitation = [m for m in mail.outbox if m.to == [requester.email]][-1]
    assert "text/calendar" in invitation.message().as_string()

    visitor = person(requester, lang=lang)
    visitor.go(f"/tickets/{ticket.number}/")
    mine = visitor.page.locator(f"#session-{session.pk}")
    assert "meet.example.test/vpn-ana" in mine.inner_text()
    found["portal ticket page"] = page_problems(visitor)
    mine.get_by_text(visitor.t("Accept"), exact=True).click()
    visitor.submit(mine.get_by_role("button", name=visitor.t("Send my answer")))
    assert visitor.page.get_by_text(
        visitor.t("Thank you: your answer was sent to the service desk.")
    ).count()
    session.refresh_from_db()
    assert session.status == "accepted"

    desk.go(f"/desk/tickets/{ticket.number}/")
    assert desk.page.locator(f"#session-{session.pk}").get_by_text(desk.t("Accepted")).count()
    assert (
        desk.page.locator("#timeline")
        .get_by_text(desk.t("The requester accepted the session"))
        .count()
    )
    desk.go("/desk/sessions/")
    assert ticket.number in desk.page.locator("table").inner_text()
    found["sessions list"] = page_problems(desk)
    desk.shot("sessions")

    assert found == {name: [] for name in found}, found
