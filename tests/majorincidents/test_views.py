import pytest
from django.utils import timezone

from servicedesk.majorincidents import services
from servicedesk.majorincidents.models import ActionItem, MajorIncident, PublicUpdate
from tests.majorincidents.factories import major_declared, outage_reported, p1_logged

pytestmark = pytest.mark.django_db


def _linked(desk, major, n):
    _people, tickets = outage_reported(desk, tickets=n, people=max(1, n // 2))
    services.major_tickets_link(
        major=major, actor=desk.l1_agent, numbers=[t.number for t in tickets]
    )
    return tickets


def test_the_ticket_page_offers_the_declaration_then_shows_the_bridge(client, desk):
    ticket = p1_logged(desk)
    client.force_login(desk.l3_agent)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Declare a major incident" in page
    answer = client.post(
        f"/desk/major/declare/{ticket.number}/",
        {"bridge_phone": "+40 21 555 0100", "bridge_url": "https://meet.example.org/abc"},
    )
    major = MajorIncident.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/desk/major/{major.pk}/"
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "+40 21 555 0100" in page and "https://meet.example.org/abc" in page
    assert "Declare a major incident" not in page


def test_a_refused_declaration_says_why_on_the_ticket_page(client, desk):
    ticket = p1_logged(desk)
    client.force_login(desk.l3_agent)
    answer = client.post(
        f"/desk/major/declare/{ticket.number}/", {"bridge_url": "nope"}, follow=True
    )
    assert "bridge_url" in answer.content.decode()
    assert not MajorIncident.objects.exists()


@pytest.mark.parametrize("linked", [2, 30])
def test_the_detail_page_is_bounded_in_queries(client, desk, django_assert_max_num_queries, linked):
    major = major_declared(desk)
    _linked(desk, major, linked)
    for role, person in [("commander", desk.l3_agent), ("scribe", desk.l1_agent)]:
        services.major_role_assign(major=major, actor=desk.l3_agent, role=role, person=person)
    for i in range(3):
        services.major_update_post(major=major, actor=desk.l3_agent, body=f"Update {i}")
    client.force_login(desk.l3_agent)
    with django_assert_max_num_queries(25):
        page = client.get(f"/desk/major/{major.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Update 2" in html and "Incident commander" in html and "+40 21 555 0100" in html
    with django_assert_max_num_queries(15):
        listing = client.get("/desk/major/")
    assert major.ticket.number in listing.content.decode()


def test_the_console_walks_roles_link_update_resolve_and_review(client, desk):
    major = major_declared(desk)
    _people, tickets = outage_reported(desk, tickets=2, people=2)
    client.force_login(desk.l1_agent)
    base = f"/desk/major/{major.pk}"
    assert (
        client.post(f"{base}/roles/", {"role": "commander", "person": desk.l3_agent.pk}).status_code
        == 302
    )
    answer = client.post(f"{base}/links/", {"tickets": " ".join(t.number for t in tickets)})
    assert answer.status_code == 302
    answer = client.post(f"{base}/updates/", {"body": "We are on it."})
    assert answer.status_code == 302
    assert PublicUpdate.objects.get().recipients_count == 3
    client.force_login(desk.l3_agent)
    answer = client.post(
        f"{base}/resolve/",
        {"resolution_code": "solved_permanently", "resolution_notes": "Fixed."},
    )
    assert answer.status_code == 302 and answer["Location"] == f"{base}/review/"
    page = client.get(f"{base}/review/").content.decode()
    assert "Time to detect" in page and "Declared a major incident" in page
    answer = client.post(f"{base}/review/", {"root_cause": "A disk", "contributing_factors": ""})
    assert answer.status_code == 302
    answer = client.post(
        f"{base}/review/items/",
        {"title": "Disk alerts", "owner": desk.l2_agent.pk, "due_date": "2030-01-31"},
    )
    assert answer.status_code == 302
    item = ActionItem.objects.get()
    client.post(f"/desk/major/items/{item.pk}/done/")
    item.refresh_from_db()
    assert item.done_at is not None
    reviews = client.get("/desk/major/reviews/").content.decode()
    assert major.ticket.number in reviews


def test_bad_input_is_a_400_with_the_reason_beside_the_field(client, desk):
    major = major_declared(desk)
    client.force_login(desk.l1_agent)
    answer = client.post(f"/desk/major/{major.pk}/links/", {"tickets": "INC404"})
    assert answer.status_code == 400
    assert "There is no ticket INC404." in answer.content.decode()
    answer = client.post(f"/desk/major/{major.pk}/bridge/", {"bridge_phone": "call me"})
    assert answer.status_code == 400
    assert "Write a phone number" in answer.content.decode()
    answer = client.post(f"/desk/major/{major.pk}/updates/", {"body": ""})
    assert answer.status_code == 400
    assert not PublicUpdate.objects.exists()


def test_requesters_are_refused(client, desk):
    major = major_declared(desk)
    client.force_login(desk.requester)
    assert client.get(f"/desk/major/{major.pk}/").status_code == 403
    assert client.get("/desk/major/").status_code == 403


def test_the_requester_reads_the_update_in_the_portal(client, desk):
    major = major_declared(desk)
    services.major_update_post(major=major, actor=desk.l3_agent, body="Back within the hour.")
    client.force_login(desk.requester)
    page = client.get(f"/tickets/{major.ticket.number}/").content.decode()
    assert "Back within the hour." in page


def test_pages_speak_romanian(client, desk):
    major = major_declared(desk)
    desk.l3_agent.language = "ro"
    desk.l3_agent.save()
    client.force_login(desk.l3_agent)
    page = client.get(f"/desk/major/{major.pk}/", HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert "Conferință" in page and "Actualizări publice" in page
    assert timezone.now()


def test_a_linked_ticket_s_page_names_its_major_incident(client, desk):
    major = major_declared(desk)
    (child,) = _linked(desk, major, 1)
    client.force_login(desk.l1_agent)
    page = client.get(f"/desk/tickets/{child.number}/").content.decode()
    assert f"Linked to the major incident {major.ticket.number}." in page
    assert "Declare a major incident" not in page
