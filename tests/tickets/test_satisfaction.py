"""The requester rates a closed ticket (1–5) once: from the portal, from the email's link, or
through the API; the desk sees it on the ticket and in the reports by group, agent, category."""

import pytest
from django.utils import timezone

from servicedesk.core.errors import NotPermitted, ValidationFailed
from servicedesk.reports.selectors import report_build
from servicedesk.tickets import services
from servicedesk.tickets.models import Satisfaction, Ticket
from tests.tickets.factories import ticket_logged


def _resolved(desk, **kwargs) -> Ticket:
    ticket = ticket_logged(requester=desk.requester, category=desk.category, **kwargs)
    services.ticket_assign(ticket=ticket, actor=desk.l1_agent, assignee=desk.l1_agent)
    services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="solved_remotely",
        resolution_notes="Profile rebuilt.",
        service_restored=True,
    )
    return Ticket.objects.get(pk=ticket.pk)


def test_confirming_in_the_portal_asks_for_a_rating_once(desk, client):
    ticket = _resolved(desk)
    client.force_login(desk.requester)
    response = client.post(f"/tickets/{ticket.number}/confirm/")
    assert response["Location"] == f"/tickets/{ticket.number}/rate/"
    page = client.get(response["Location"]).content.decode()
    assert 'type="radio"' in page and 'name="rating"' in page
    response = client.post(f"/tickets/{ticket.number}/rate/", {"rating": "4", "comment": "Quick"})
    assert response.status_code == 302
    rated = Satisfaction.objects.get(ticket=ticket)
    assert (rated.rating, rated.comment, rated.rated_by) == (4, "Quick", desk.requester)
    # Once: the page no longer asks, and the service refuses a second rating.
    assert client.get(f"/tickets/{ticket.number}/rate/")["Location"] == f"/tickets/{ticket.number}/"
    assert (
        "You rated how we handled it 4 of 5"
        in client.get(f"/tickets/{ticket.number}/").content.decode()
    )
    with pytest.raises(ValidationFailed):
        services.ticket_rate(ticket=ticket, actor=desk.requester, rating=5)


def test_only_the_requester_rates_and_only_a_closed_ticket(desk):
    ticket = _resolved(desk)
    with pytest.raises(ValidationFailed):  # not closed yet: a 400 naming the status
        services.ticket_rate(ticket=ticket, actor=desk.requester, rating=3)
    services.ticket_confirm(ticket=ticket, actor=desk.requester)
    with pytest.raises(NotPermitted):
        services.ticket_rate(ticket=ticket, actor=desk.l1_agent, rating=5)
    with pytest.raises(ValidationFailed):
        services.ticket_rate(ticket=ticket, actor=desk.requester, rating=6)


def test_the_api_rates_and_the_desk_reads_it(desk, api_for, client, deliver_outbox):
    ticket = _resolved(desk)
    services.ticket_confirm(ticket=ticket, actor=desk.requester)
    closed = [m for m in deliver_outbox() if "Closed" in m.subject]
    assert f"/tickets/{ticket.number}/rate/" in closed[0].body
    api = api_for(desk.requester)
    assert "rate" in api.get(f"/api/tickets/{ticket.number}/").json()["actions"]
    refused = api.post(f"/api/tickets/{ticket.number}/rate/", {"rating": 1.5}, format="json")
    assert refused.status_code == 400 and "rating" in refused.json()["errors"]
    response = api.post(
        f"/api/tickets/{ticket.number}/rate/", {"rating": 2, "comment": "Slow"}, format="json"
    )
    assert response.status_code == 200, response.content
    detail = api_for(desk.l1_agent).get(f"/api/tickets/{ticket.number}/").json()
    assert detail["satisfaction"]["rating"] == 2 and detail["satisfaction"]["comment"] == "Slow"
    assert "rate" not in detail["actions"]
    client.force_login(desk.l1_agent)
    assert "2/5" in client.get(f"/desk/tickets/{ticket.number}/").content.decode()


def test_reports_give_the_mean_rating_by_group_agent_and_category(desk):
    for rating in (5, 3):
        ticket = _resolved(desk)
        services.ticket_confirm(ticket=ticket, actor=desk.requester)
        services.ticket_rate(ticket=ticket, actor=desk.requester, rating=rating)
    today = timezone.localdate()
    report = report_build(
        user=desk.admin, start=today, end=today, breakdown="agent", also=["group", "category"]
    )
    assert (report.totals.satisfaction.count, report.totals.satisfaction.mean) == (2, 4.0)
    assert report.totals.satisfaction.spread == (0, 0, 1, 0, 1)
    [agent] = [row for row in report.breakdowns["agent"] if row.figures.satisfaction.count]
    assert agent.label == "Lena Ionescu" and agent.figures.satisfaction.mean == 4.0
    assert any(r.figures.satisfaction.count == 2 for r in report.breakdowns["group"])
    assert any(r.figures.satisfaction.count == 2 for r in report.breakdowns["category"])
