from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.appointments.models import Session
from servicedesk.tickets.models import TicketEvent
from tests.appointments.conftest import START

PAGE_MAX_QUERIES = 12


@pytest.fixture
def agent_client(client, desk):
    client.force_login(desk.l2_agent)
    return client


def _local(moment) -> str:
    """A moment as a datetime-local field sends it, in the agent's zone (Europe/Bucharest)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%dT%H:%M")


def test_the_ticket_page_offers_to_propose_a_session(agent_client, ticket):
    response = agent_client.get(f"/desk/tickets/{ticket.number}/")
    page = response.content.decode()
    assert 'id="sessions"' in page
    assert f"/desk/sessions/propose/{ticket.number}/" in page
    assert "America/New_York" in page


def test_an_agent_proposes_from_the_ticket_page(agent_client, ticket, desk):
    response = agent_client.post(
        f"/desk/sessions/propose/{ticket.number}/",
        {
            "kind": "video",
            "starts_at": _local(START),
            "duration": "60",
            "link": "https://meet.example.test/x",
            "note": "",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == START
    assert session.ends_at == START + timedelta(hours=1)
    assert session.organizer == desk.l2_agent
    page = agent_client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Session proposed" in page
    assert "https://meet.example.test/x" in page


def test_a_proposal_without_its_link_is_refused_beside_the_field(agent_client, ticket):
    response = agent_client.post(
        f"/desk/sessions/propose/{ticket.number}/",
        {"kind": "video", "starts_at": _local(START), "duration": "30", "link": ""},
    )
    assert response.status_code == 400
    assert 'id="id_link_error"' in response.content.decode()
    assert not Session.objects.exists()


def test_a_proposal_in_the_past_is_refused(agent_client, ticket):
    response = agent_client.post(
        f"/desk/sessions/propose/{ticket.number}/",
        {
            "kind": "phone",
            "starts_at": _local(START - timedelta(days=3)),
            "duration": "30",
            "phone": "+40 721 000 111",
        },
    )
    assert response.status_code == 400
    assert 'id="id_starts_at_error"' in response.content.decode()
    assert not Session.objects.exists()


def test_requesters_cannot_use_the_console(client, desk, ticket):
    client.force_login(desk.requester)
    assert client.get("/desk/sessions/").status_code == 403
    response = client.post(f"/desk/sessions/propose/{ticket.number}/", {})
    assert response.status_code == 403


def test_the_requester_accepts_in_the_portal(client, desk, propose):
    session = propose()
    client.force_login(desk.requester)
    page = client.get(f"/tickets/{session.ticket.number}/").content.decode()
    assert 'id="sessions"' in page
    assert f"/sessions/{session.pk}/respond/" in page

    response = client.post(f"/sessions/{session.pk}/respond/", {f"r{session.pk}-answer": "accept"})

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "accepted"
    assert TicketEvent.objects.filter(type="session", actor=desk.requester).exists()


def test_another_requester_cannot_answer(client, desk, propose):
    session = propose()
    client.force_login(desk.other_requester)
    response = client.post(f"/sessions/{session.pk}/respond/", {f"r{session.pk}-answer": "accept"})
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.status == "proposed"


def test_a_bad_answer_is_a_400(client, desk, propose):
    session = propose()
    client.force_login(desk.requester)
    response = client.post(
        f"/sessions/{session.pk}/respond/", {f"r{session.pk}-answer": "new_time"}
    )
    assert response.status_code == 400
    assert f'id="id_r{session.pk}-note_error"' in response.content.decode()
    session.refresh_from_db()
    assert session.status == "proposed"


def test_the_console_lists_upcoming_and_past_sessions(agent_client, propose, clock):
    session = propose()
    page = agent_client.get("/desk/sessions/").content.decode()
    assert session.ticket.number in page
    assert (
        session.ticket.number not in agent_client.get("/desk/sessions/?when=past").content.decode()
    )
    clock.move_to(START + timedelta(hours=1))
    assert session.ticket.number in agent_client.get("/desk/sessions/?when=past").content.decode()


def test_pages_make_a_bounded_number_of_queries(
    agent_client, client, desk, propose, django_assert_max_num_queries
):
    propose()
    with django_assert_max_num_queries(PAGE_MAX_QUERIES) as few:
        agent_client.get("/desk/sessions/")
    for hours in range(2, 12):
        propose(
            starts_at=START + timedelta(hours=hours),
            ends_at=START + timedelta(hours=hours, minutes=30),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = agent_client.get("/desk/sessions/").content.decode()
    assert page.count("session-proposed") >= 11

    ticket_page = f"/desk/tickets/{desk.requester.requested_tickets.get().number}/"
    with django_assert_max_num_queries(25):
        assert agent_client.get(ticket_page).status_code == 200

    requester = client.__class__()
    requester.force_login(desk.requester)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        portal = requester.get(f"/tickets/{desk.requester.requested_tickets.get().number}/")
    assert portal.content.decode().count('class="session-answer"') == 11
