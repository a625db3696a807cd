"""Surge detection: many user tickets about one service in a short time make one incident."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test import Client

from servicedesk.alerts.models import Surge, SurgeMode, SurgeRule, SurgeStatus
from servicedesk.alerts.services import surge_confirm, surge_dismiss, surge_rule_save
from servicedesk.core.errors import NotPermitted, ValidationFailed
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets.models import Channel, Kind, Ticket
from servicedesk.tickets.services import ticket_log
from servicedesk.tickets.states import Status
from tests.accounts.factories import UserFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def log(desk, n=1, *, channel=Channel.PORTAL, **fields):
    fields.setdefault("service", desk.service)
    made = []
    for i in range(n):
        who = UserFactory()
        made.append(
            ticket_log(
                actor=who if channel == Channel.PORTAL else desk.l1_agent,
                requester=who,
                title=f"Mail does not work ({i})",
                channel=channel,
                **fields,
            )
        )
    return made


def surge_incidents():
    return Ticket.objects.filter(title__startswith="Possible outage of")


@pytest.mark.django_db
def test_five_portal_tickets_in_fifteen_minutes_open_one_incident_and_the_sixth_joins(desk):
    with time_machine.travel(START, tick=False) as traveller:
        first = log(desk, 4)
        assert not surge_incidents().exists()
        traveller.shift(timedelta(minutes=14))
        fifth = log(desk)[0]

        incident = surge_incidents().get()
        assert incident.title == "Possible outage of Email"
        assert incident.kind == Kind.INCIDENT
        assert incident.service == desk.service
        assert incident.assignment_group == desk.l1
        assert set(incident.children.values_list("pk", flat=True)) == {
            t.pk for t in [*first, fifth]
        }
        # The writer's copy of the fifth ticket is true to its row.
        assert fifth.parent == incident
        assert fifth.version == Ticket.objects.get(pk=fifth.pk).version
        surge = Surge.objects.get()
        assert surge.status == SurgeStatus.OPEN and surge.incident == incident
        assert surge.tickets.count() == 5
        # The group is told, once.
        told = OutboxMessage.objects.filter(topic="alerts.surge")
        assert told.exists()
        assert {m.dedup_key.rsplit(":", 2)[0] for m in told} == {f"alerts:surge:{surge.pk}:open"}

        traveller.shift(timedelta(minutes=30))
        sixth = log(desk)[0]
        sixth.refresh_from_db()
        assert sixth.parent == incident
        assert surge_incidents().count() == 1
        assert Surge.objects.get().tickets.count() == 6
        # The children's timelines say so.
        assert sixth.events.filter(type="linked").exists()


@pytest.mark.django_db
def test_four_in_fifteen_minutes_and_the_fifth_at_minute_sixteen_open_nothing(desk):
    with time_machine.travel(START, tick=False) as traveller:
        log(desk)
        traveller.shift(timedelta(minutes=1))
        log(desk, 3)
        traveller.shift(timedelta(minutes=15))  # minute 16: the first is out of the window
        log(desk)
    assert not surge_incidents().exists()
    assert not Surge.objects.exists()
    assert not Ticket.objects.filter(parent__isnull=False).exists()


@pytest.mark.django_db
def test_monitoring_tickets_requests_and_other_services_do_not_count(desk):
    other = type(desk.service).objects.create(name="VPN")
    with time_machine.travel(START, tick=False):
        log(desk, 2, channel=Channel.MONITORING)
        log(desk, 1, kind=Kind.SERVICE_REQUEST)
        log(desk, 2, service=other)
        log(desk, 4)
    assert not Surge.objects.exists()


@pytest.mark.django_db
def test_a_rule_per_category_and_the_global_rule(desk):
    surge_rule_save(threshold=3, window_minutes=10)
    surge_rule_save(category=desk.category, threshold=2, window_minutes=5, assignment_group=desk.l2)
    with time_machine.travel(START, tick=False):
        log(desk, 1, service=None, category=desk.category)
        assert not Surge.objects.exists()
        log(desk, 1, service=None, category=desk.category)
        surge = Surge.objects.get()
        assert surge.category == desk.category and surge.group == desk.l2
        assert surge.incident.assignment_group == desk.l2
        # The service falls under the global rule: 3.
        log(desk, 2)
        assert Surge.objects.count() == 1
        log(desk, 1)
        assert Surge.objects.count() == 2


@pytest.mark.django_db
def test_an_inactive_rule_detects_nothing(desk):
    surge_rule_save(service=desk.service, is_active=False)
    with time_machine.travel(START, tick=False):
        log(desk, 6)
    assert not Surge.objects.exists()


@pytest.mark.django_db
def test_rule_errors_name_the_field(desk):
    surge_rule_save(service=desk.service)
    with pytest.raises(ValidationFailed) as failed:
        surge_rule_save(service=desk.service, threshold=1)
    assert set(failed.value.errors) == {"service", "threshold"}
    with pytest.raises(ValidationFailed) as failed:
        surge_rule_save(service=desk.service, category=desk.category)
    assert "category" in failed.value.errors
    assert SurgeRule.objects.count() == 1


@pytest.mark.django_db
def test_propose_mode_waits_for_an_agent_who_confirms(desk):
    surge_rule_save(mode=SurgeMode.PROPOSE)
    with time_machine.travel(START, tick=False):
        tickets = log(desk, 5)
        surge = Surge.objects.get()
        assert surge.status == SurgeStatus.PROPOSED and surge.incident is None
        assert not surge_incidents().exists()
        assert OutboxMessage.objects.filter(topic="alerts.surge").exists()
        log(desk)  # the sixth joins the proposal
        assert surge.tickets.count() == 6

        with pytest.raises(NotPermitted):
            surge_confirm(surge=surge, actor=desk.requester)
        surge = surge_confirm(surge=surge, actor=desk.l2_agent)
        assert surge.status == SurgeStatus.OPEN and surge.decided_by == desk.l2_agent
        assert surge.incident.children.count() == 6
        assert {t.pk for t in tickets} <= set(surge.incident.children.values_list("pk", flat=True))
        with pytest.raises(ValidationFailed):
            surge_dismiss(surge=surge, actor=desk.l2_agent)


@pytest.mark.django_db
def test_a_dismissed_proposal_does_not_come_back_with_the_same_tickets(desk):
    surge_rule_save(mode=SurgeMode.PROPOSE)
    with time_machine.travel(START, tick=False):
        log(desk, 5)
        surge = surge_dismiss(surge=Surge.objects.get(), actor=desk.l1_agent, note="A test")
        assert surge.status == SurgeStatus.DISMISSED and surge.note == "A test"
        log(desk, 4)
        assert Surge.objects.count() == 1
        log(desk)  # five new ones
        assert Surge.objects.filter(status=SurgeStatus.PROPOSED).count() == 1


@pytest.mark.django_db
def test_a_resolved_surge_incident_lets_a_new_surge_start(desk):
    with time_machine.travel(START, tick=False) as traveller:
        log(desk, 5)
        incident = surge_incidents().get()
        Ticket.objects.filter(pk=incident.pk).update(status=Status.RESOLVED)
        traveller.shift(timedelta(minutes=1))
        log(desk, 4)
        assert surge_incidents().count() == 1
        log(desk)
        assert surge_incidents().count() == 2


@pytest.mark.django_db
def test_console_page_and_panel_confirm(desk, django_assert_max_num_queries):
    surge_rule_save(mode=SurgeMode.PROPOSE)
    with time_machine.travel(START, tick=False):
        tickets = log(desk, 5)
    client = Client()
    client.force_login(desk.l1_agent)
    with django_assert_max_num_queries(15):
        page = client.get("/desk/alerts/surges/")
    assert page.status_code == 200
    assert "Possible outage of Email" in page.content.decode()
    ticket_page = client.get(f"/desk/tickets/{tickets[0].number}/")
    assert 'id="surge-panel"' in ticket_page.content.decode()
    surge = Surge.objects.get()
    answer = client.post(f"/desk/alerts/surges/{surge.pk}/decide/", {"decision": "confirm"})
    surge.refresh_from_db()
    assert surge.status == SurgeStatus.OPEN
    assert answer.status_code == 302 and surge.incident.number in answer["Location"]

    requester = Client()
    requester.force_login(desk.requester)
    assert requester.get("/desk/alerts/surges/").status_code == 403


@pytest.mark.django_db
def test_console_page_in_romanian(desk):
    with time_machine.travel(START, tick=False):
        log(desk, 5)
    client = Client()
    desk.l1_agent.language = "ro"
    desk.l1_agent.save()
    client.force_login(desk.l1_agent)
    page = client.get("/desk/alerts/surges/", HTTP_ACCEPT_LANGUAGE="ro")
    assert "Posibile întreruperi" in page.content.decode()


@pytest.mark.django_db
def test_api_lists_confirms_dismisses_and_manages_rules(desk, api_for):
    surge_rule_save(mode=SurgeMode.PROPOSE)
    with time_machine.travel(START, tick=False):
        log(desk, 5)
    agent = api_for(desk.l1_agent)
    rows = agent.get("/api/alerts/surges/?status=proposed").json()
    assert [r["status"] for r in rows] == ["proposed"] and len(rows[0]["tickets"]) == 5
    assert agent.get("/api/alerts/surges/?status=nope").json()["errors"]["status"]
    pk = rows[0]["id"]
    answer = agent.post(f"/api/alerts/surges/{pk}/confirm/")
    assert answer.status_code == 200 and answer.json()["incident"].startswith("INC")
    again = agent.post(f"/api/alerts/surges/{pk}/dismiss/", {"note": "x"}, format="json")
    assert again.status_code == 400 and "status" in again.json()["errors"]
    assert agent.post("/api/alerts/surges/999999/confirm/").status_code == 404
    assert api_for(desk.requester).get("/api/alerts/surges/").status_code == 403

    admin = api_for(desk.admin)
    made = admin.post(
        "/api/alerts/surge-rules/",
        {"service": desk.service.pk, "threshold": 10, "window_minutes": 30},
        format="json",
    )
    assert made.status_code == 201, made.json()
    twice = admin.post("/api/alerts/surge-rules/", {"service": desk.service.pk}, format="json")
    assert twice.status_code == 400 and "service" in twice.json()["errors"]
    bad = admin.patch(
        f"/api/alerts/surge-rules/{made.json()['id']}/", {"threshold": 1}, format="json"
    )
    assert bad.status_code == 400 and "threshold" in bad.json()["errors"]
    assert agent.get("/api/alerts/surge-rules/").status_code == 403


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tickets_logged_at_once_open_one_surge_incident(desk):
    """Ten tickets on one service logged by ten threads at the same moment: one incident."""
    requesters = [UserFactory() for _ in range(10)]
    barrier = threading.Barrier(len(requesters))
    errors = []

    def one(person):
        try:
            barrier.wait(timeout=10)
            ticket_log(actor=person, title="Mail is down", service=desk.service)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(p,)) for p in requesters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    assert errors == []
    assert surge_incidents().count() == 1
    incident = surge_incidents().get()
    assert incident.children.count() == 10
    assert Surge.objects.count() == 1
