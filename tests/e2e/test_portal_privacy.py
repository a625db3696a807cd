"""What a requester may not see: someone else's ticket (a 404 page), and internal notes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_another_requesters_ticket_is_a_404_page(person, live_server):
    SupportGroupFactory(name="Service Desk", tier=1)
    ana = UserFactory(username="ana", first_name="Ana")
    bogdan = UserFactory(username="bogdan", first_name="Bogdan")
    mine = ticket_logged(requester=ana, title="My laptop is slow")
    theirs = ticket_logged(requester=bogdan, title="Bogdan's salary question")

    browser_of_ana = person(ana)
    page = browser_of_ana.go(f"/tickets/{mine.number}/")
    assert page.get_by_role("heading", level=1).inner_text() == "My laptop is slow"

    # She edits the address to the next number: the portal answers as if it did not exist.
    response = page.goto(page.url.replace(mine.number, theirs.number))
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert "salary" not in page.content()
    for suffix in ("confirm/", "reopen/"):
        response = page.goto(f"{live_server.url}/tickets/{theirs.number}/{suffix}")
        assert response.status == 404
    response = page.goto(f"{live_server.url}/desk/tickets/{theirs.number}/")
    assert response.status == 404


def test_an_internal_note_never_appears_in_the_portal(person):
    agent = AgentFactory(username="lena", first_name="Lena")
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    ana = UserFactory(username="ana", first_name="Ana")
    ticket = ticket_logged(requester=ana, title="Printer offline")

    # The agent writes a note and a reply through the console.
    lena = person(agent)
    page = lena.go(f"/desk/tickets/{ticket.number}/")
    page.get_by_label("Internal note — desk staff only").check()
    page.get_by_label("Message", exact=True).fill(
        "The printer is stolen; do not tell the requester yet."
    )
    lena.submit(page.get_by_role("button", name="Send", exact=True))
    assert page.locator(".ev-note").get_by_text("Internal note — staff only").count() == 1
    page.get_by_label("Public reply — the requester reads it").check()
    page.get_by_label("Message", exact=True).fill("We are looking into it.")
    lena.submit(page.get_by_role("button", name="Send", exact=True))
    services.ticket_comment(
        ticket=ticket,
        actor=agent,
        body="Serial number attached",
        public=False,
        files=[SimpleUploadedFile("serial-secret.txt", b"SN-1234")],
    )

    requester = person(ana)
    page = requester.go(f"/tickets/{ticket.number}/")
    history = page.locator("#history").inner_text()
    assert "We are looking into it." in history
    body = page.content()
    for hidden in ("stolen", "Internal note", "Serial number", "serial-secret.txt"):
        assert hidden not in body
    page = requester.go("/")
    assert "stolen" not in page.content()
