from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from servicedesk.core.due import due_sweep
from servicedesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from servicedesk.majorincidents import services
from servicedesk.majorincidents.models import MajorIncident, MajorStatus, RoleAssignment
from servicedesk.notifications.models import OutboxMessage
from servicedesk.statuspage import services as status_services
from servicedesk.statuspage.models import IncidentUpdate
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Status, TicketEvent
from tests.majorincidents.factories import major_declared, outage_reported, p1_logged
from tests.statuspage.factories import ComponentFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db
T = TicketEvent.Type


def test_a_p1_is_declared_without_a_reason_and_is_marked_major(desk):
    ticket = p1_logged(desk)
    major = services.major_declare(
        ticket=ticket, actor=desk.l3_agent, bridge_url="https://meet.example.org/outage"
    )
    ticket.refresh_from_db()
    assert ticket.is_major
    assert major.update_minutes == 30
    assert major.next_check_at == major.declared_at + timedelta(minutes=30)
    row = ticket.events.filter(type=T.MAJOR_INCIDENT).get()
    assert row.data["what"] == "declared" and not row.is_public


def test_another_ticket_needs_a_reason(desk):
    ticket = ticket_logged(requester=desk.requester, actor=desk.l1_agent)
    with pytest.raises(ValidationFailed) as raised:
        services.major_declare(ticket=ticket, actor=desk.l1_agent)
    assert "reason" in raised.value.errors
    assert not MajorIncident.objects.exists()
    major = services.major_declare(ticket=ticket, actor=desk.l1_agent, reason="The whole floor")
    assert major.update_minutes == 60


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("bridge_phone", {"bridge_phone": "call me"}),
        ("bridge_url", {"bridge_url": "javascript:alert(1)"}),
        ("update_minutes", {"update_minutes": 1}),
        ("update_minutes", {"update_minutes": "soon"}),
        ("reason", {"reason": "x\x00"}),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(desk, field, values):
    ticket = p1_logged(desk)
    with pytest.raises(ValidationFailed) as raised:
        services.major_declare(ticket=ticket, actor=desk.l3_agent, **values)
    assert field in raised.value.errors
    ticket.refresh_from_db()
    assert not ticket.is_major and not MajorIncident.objects.exists()


def test_a_ticket_is_declared_once_and_only_by_the_desk(desk):
    ticket = p1_logged(desk)
    with pytest.raises(NotPermitted):
        services.major_declare(ticket=ticket, actor=desk.requester)
    services.major_declare(ticket=ticket, actor=desk.l3_agent)
    with pytest.raises(TransitionNotAllowed):
        services.major_declare(ticket=ticket, actor=desk.l3_agent)


def test_roles_are_recorded_with_who_and_when_and_replaced_not_lost(desk):
    major = major_declared(desk)
    services.major_role_assign(
        major=major, actor=desk.l3_agent, role="commander", person=desk.l3_agent
    )
    services.major_role_assign(
        major=major, actor=desk.manager, role="commander", person=desk.l2_agent
    )
    services.major_role_assign(
        major=major, actor=desk.l3_agent, role="scribe", person=desk.l1_agent
    )
    history = list(RoleAssignment.objects.filter(major=major, role="commander"))
    assert [(r.person, r.assigned_by, r.ended_at is None) for r in history] == [
        (desk.l3_agent, desk.l3_agent, False),
        (desk.l2_agent, desk.manager, True),
    ]
    rows = major.ticket.events.filter(type=T.MAJOR_INCIDENT, data__what="role")
    assert rows.count() == 3
    with pytest.raises(ValidationFailed) as raised:
        services.major_role_assign(
            major=major, actor=desk.l3_agent, role="boss", person=desk.requester
        )
    assert set(raised.value.errors) == {"role", "person"}


def test_tickets_are_linked_by_number_all_or_none(desk):
    major = major_declared(desk)
    a = ticket_logged(requester=desk.requester, title="No mail")
    b = ticket_logged(requester=desk.other_requester, title="No mail either")
    with pytest.raises(ValidationFailed) as raised:
        services.major_tickets_link(
            major=major, actor=desk.l1_agent, numbers=f"{a.number}, INC9999999"
        )
    assert "tickets" in raised.value.errors
    a.refresh_from_db()
    assert a.parent_id is None
    services.major_tickets_link(major=major, actor=desk.l1_agent, numbers=[a.number, b.number])
    a.refresh_from_db()
    assert a.parent_id == major.ticket_id
    assert a.events.filter(type=T.LINKED).exists()
    with pytest.raises(ValidationFailed):
        services.major_tickets_link(major=major, actor=desk.l1_agent, numbers=[major.ticket.number])
    services.major_ticket_unlink(major=major, actor=desk.l1_agent, ticket=b)
    b.refresh_from_db()
    assert b.parent_id is None


def _outage(desk, *, tickets=40, people=25):
    requesters, linked = outage_reported(desk, tickets=tickets, people=people)
    major = major_declared(desk, requester=requesters[0])
    services.major_tickets_link(
        major=major, actor=desk.l1_agent, numbers=[t.number for t in linked]
    )
    return major, requesters, linked


def test_one_update_reaches_each_of_25_requesters_of_40_tickets_once(desk, deliver_outbox):
    major, requesters, linked = _outage(desk)
    OutboxMessage.objects.all().delete()
    update = services.major_update_post(
        major=major, actor=desk.l3_agent, body="The mail server is being restarted."
    )
    messages = OutboxMessage.objects.filter(topic="major.update")
    assert messages.count() == 25
    assert update.recipients_count == 25 and update.tickets_count == 41
    assert {m.destination for m in messages} == {r.email for r in requesters}
    romanian = messages.get(destination=requesters[1].email)
    assert "Noutăți" in romanian.title or "pană" in romanian.title
    assert linked[1].number in romanian.body and linked[26].number in romanian.body
    rows = TicketEvent.objects.filter(type=T.MAJOR_INCIDENT, data__what="update")
    assert rows.count() == 41
    assert all(row.is_public and row.body.startswith("The mail server") for row in rows)
    sent = deliver_outbox()
    assert len([m for m in sent if "restarted" in m.body]) == 25


def test_an_update_is_posted_on_the_status_page_when_the_ticket_is_published(desk):
    major = major_declared(desk)
    status_services.incident_publish(
        actor=desk.l3_agent,
        ticket=major.ticket,
        title="Email is down",
        message="Investigating",
        components=[ComponentFactory(service=desk.service)],
        component_status="major_outage",
        status="investigating",
    )
    update = services.major_update_post(
        major=major, actor=desk.l3_agent, body="Restored; watching.", mitigated=True
    )
    assert update.on_status_page
    last = IncidentUpdate.objects.order_by("-id").first()
    assert (last.body, last.status) == ("Restored; watching.", "monitoring")
    major.refresh_from_db()
    assert major.mitigated_at == update.created_at


def test_the_desk_is_reminded_once_per_lapse(desk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        major = major_declared(desk)
        services.major_role_assign(
            major=major, actor=desk.l3_agent, role="commander", person=desk.l3_agent
        )
        services.major_role_assign(
            major=major, actor=desk.l3_agent, role="communications", person=desk.l1_agent
        )
    reminders = OutboxMessage.objects.filter(topic="major.reminder")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        due_sweep()
    assert reminders.count() == 0
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        due_sweep()
        due_sweep()
    assert set(reminders.values_list("destination", flat=True)) == {
        desk.l3_agent.email,
        desk.l1_agent.email,
    }
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        due_sweep()
    assert reminders.count() == 2
    with time_machine.travel(start + timedelta(minutes=95), tick=False):
        services.major_update_post(major=major, actor=desk.l1_agent, body="Still on it.")
    major.refresh_from_db()
    assert major.next_check_at == start + timedelta(minutes=125), (major.next_check_at, start)
    with time_machine.travel(start + timedelta(minutes=126), tick=False):
        due_sweep()
    assert reminders.count() == 4
    assert major.ticket.events.filter(data__what="reminder").count() == 2


def test_without_roles_the_assignment_group_is_reminded(desk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        major_declared(desk)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        due_sweep()
    assert set(
        OutboxMessage.objects.filter(topic="major.reminder").values_list("destination", flat=True)
    ) == {desk.l3_agent.email}


def test_resolution_resolves_all_40_and_creates_the_review_with_its_times(desk):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        requesters, linked = outage_reported(desk, tickets=40, people=25)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        major = major_declared(desk, requester=requesters[0])
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        services.major_tickets_link(
            major=major, actor=desk.l1_agent, numbers=[t.number for t in linked]
        )
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        services.major_update_post(
            major=major, actor=desk.l3_agent, body="Working again.", mitigated=True
        )
    with time_machine.travel(start + timedelta(minutes=70), tick=False):
        major = services.major_resolve(
            major=major,
            actor=desk.l3_agent,
            resolution_code="solved_permanently",
            resolution_notes="Replaced the failed disk.",
        )
    assert major.status == MajorStatus.RESOLVED and major.next_check_at is None
    for ticket in linked:
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert "Replaced the failed disk." in ticket.resolution_notes
    review = major.review
    assert (review.linked_tickets, review.requesters) == (40, 25)
    assert review.impact_started_at == start
    assert review.detected_at == start
    assert review.time_to_acknowledge == timedelta(minutes=5)
    assert review.time_to_mitigate == timedelta(minutes=40)
    assert review.time_to_resolve == timedelta(minutes=70)
    steps = [line["step"] for line in review.summary]
    assert steps[:2] == ["logged", "declared"] and steps[-2:] == ["resolved", "linked"]
    assert {"step": "update", "text": "Working again."}.items() <= review.summary[2].items()
    assert review.summary[-1]["count"] == 40
    with pytest.raises(TransitionNotAllowed):
        services.major_update_post(major=major, actor=desk.l3_agent, body="More news")


def test_resolving_the_ticket_from_its_page_resolves_the_major_incident(desk):
    major = major_declared(desk)
    ticket_services.ticket_resolve(
        ticket=major.ticket,
        actor=desk.l3_agent,
        resolution_code="solved_workaround",
        resolution_notes="Rebooted.",
        service_restored=True,
    )
    major.refresh_from_db()
    assert major.status == MajorStatus.RESOLVED
    assert major.review.resolved_at == major.resolved_at


def test_a_major_incident_is_never_closed_automatically(desk, settings):
    major = major_declared(desk)
    services.major_resolve(
        major=major, actor=desk.l3_agent, resolution_code="solved_permanently", resolution_notes="x"
    )
    with time_machine.travel(timezone.now() + timedelta(days=60), tick=False):
        ticket_services.tickets_auto_close()
    major.ticket.refresh_from_db()
    assert major.ticket.status == Status.RESOLVED


def test_a_resolution_without_notes_names_the_field(desk):
    major = major_declared(desk)
    with pytest.raises(ValidationFailed) as raised:
        services.major_resolve(
            major=major, actor=desk.l3_agent, resolution_code="nope", resolution_notes=" "
        )
    assert set(raised.value.errors) == {"resolution_code", "resolution_notes"}
    major.refresh_from_db()
    assert major.is_active


def test_action_items_are_tracked_until_done(desk):
    major = major_declared(desk)
    major = services.major_resolve(
        major=major, actor=desk.l3_agent, resolution_code="solved_permanently", resolution_notes="x"
    )
    review = services.review_edit(
        review=major.review,
        actor=desk.l3_agent,
        root_cause="A disk",
        contributing_factors="No alert",
    )
    assert review.root_cause == "A disk"
    with pytest.raises(ValidationFailed) as raised:
        services.action_item_add(
            review=review, actor=desk.l3_agent, title="", owner=desk.requester, due_date=None
        )
    assert set(raised.value.errors) == {"title", "owner", "due_date"}
    item = services.action_item_add(
        review=review,
        actor=desk.l3_agent,
        title="Alert on disk health",
        owner=desk.l2_agent,
        due_date=timezone.now().date() + timedelta(days=14),
    )
    item = services.action_item_done(item=item, actor=desk.l2_agent)
    assert item.is_done and item.done_by == desk.l2_agent
