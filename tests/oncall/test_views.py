"""The console's on-call pages, in English and Romanian, with bounded queries."""

import pytest
from django.test import Client

from servicedesk.oncall.models import ContactMethod, NotificationRule, Page
from tests.oncall.test_paging import SUNDAY_NIGHT, _p1_from_monitoring

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(desk):
    client = Client()
    client.force_login(desk.l3_agent)
    return client


@pytest.mark.parametrize(("language", "heading"), [("en", "On call"), ("ro", "De gardă")])
def test_the_schedules_page_in_both_languages(desk, oncall, agent_client, language, heading):
    desk.l3_agent.language = language
    desk.l3_agent.save()
    response = agent_client.get("/desk/oncall/")
    assert response.status_code == 200
    assert heading in response.content.decode()
    assert "Engineering on call" in response.content.decode()


def test_the_pages_show_with_bounded_queries(
    desk, oncall, agent_client, django_assert_max_num_queries
):
    for path in (
        f"/desk/oncall/schedules/{oncall.schedule.pk}/",
        f"/desk/oncall/people/{desk.l3_agent.username}/",
        "/desk/oncall/policies/",
        "/desk/oncall/pages/",
        "/desk/oncall/me/",
    ):
        with django_assert_max_num_queries(20):
            response = agent_client.get(path)
        assert response.status_code == 200, path


def test_a_schedule_shows_the_next_four_weeks(desk, oncall, agent_client, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    body = agent_client.get(f"/desk/oncall/schedules/{oncall.schedule.pk}/").content.decode()
    shifts = body[: body.index('id="layers"')]
    assert shifts.count("<tr>") == 1 + 5  # head, and five weekly shifts touch four weeks
    assert 'id="layer-' in body  # and the layer they come from
    assert "Radu Stan" in body and "Ioana" in body


def test_the_pages_page_has_an_acknowledge_button(desk, oncall, agent_client, time_machine):
    time_machine.move_to(SUNDAY_NIGHT, tick=False)
    incident = _p1_from_monitoring(desk)
    page = Page.objects.get()
    body = agent_client.get("/desk/oncall/pages/").content.decode()
    assert incident.number in body and f"/desk/oncall/pages/{page.pk}/acknowledge/" in body
    ticket_page = agent_client.get(f"/desk/tickets/{incident.number}/").content.decode()
    assert "On-call paging" in ticket_page and "Acknowledge" in ticket_page


def test_a_person_adds_contact_methods_and_rules(desk, agent_client):
    response = agent_client.post(
        "/desk/oncall/me/methods/", {"kind": "email", "address": "radu@pager.test"}
    )
    assert response.status_code == 302
    method = ContactMethod.objects.get(person=desk.l3_agent)
    refused = agent_client.post("/desk/oncall/me/methods/", {"kind": "sms", "address": "+40 7"})
    assert refused.status_code == 400 and "provider" in refused.content.decode().lower()
    assert (
        agent_client.post(
            "/desk/oncall/me/rules/", {"method": method.pk, "delay_minutes": 2}
        ).status_code
        == 302
    )
    assert NotificationRule.objects.get(person=desk.l3_agent).delay_minutes == 2
    bad = agent_client.post("/desk/oncall/me/rules/", {"method": method.pk, "delay_minutes": -1})
    assert bad.status_code == 400


def test_requesters_may_not_see_the_pages(desk):
    client = Client()
    client.force_login(desk.requester)
    assert client.get("/desk/oncall/").status_code == 403
