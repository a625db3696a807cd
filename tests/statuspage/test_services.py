from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from servicedesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from servicedesk.notifications.models import OutboxMessage
from servicedesk.statuspage import services
from servicedesk.statuspage.models import ComponentStatusChange, Subscriber
from servicedesk.statuspage.states import ComponentStatus, IncidentStatus
from tests.statuspage.factories import ComponentFactory, SubscriberFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db


def test_a_status_change_is_recorded_with_its_note_and_author(desk):
    component = ComponentFactory(service=desk.service)
    services.component_status_set(
        component=component, actor=desk.l1_agent, status="degraded_performance", note="slow"
    )
    component.refresh_from_db()
    assert component.status == "degraded_performance"
    change = ComponentStatusChange.objects.get()
    assert (change.previous, change.status, change.note, change.actor) == (
        "operational",
        "degraded_performance",
        "slow",
        desk.l1_agent,
    )


def test_a_wrong_status_names_the_field_and_changes_nothing(desk):
    component = ComponentFactory()
    with pytest.raises(ValidationFailed) as raised:
        services.component_status_set(component=component, actor=desk.l1_agent, status="down")
    assert "status" in raised.value.errors
    assert not ComponentStatusChange.objects.exists()


def test_only_desk_staff_publish(desk):
    with pytest.raises(NotPermitted):
        services.component_status_set(
            component=ComponentFactory(), actor=desk.requester, status="major_outage"
        )


def _p1(desk):
    return ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        title="Mail server down",
        service=desk.service,
        impact="high",
        urgency="high",
    )


def test_publishing_from_a_ticket_sets_components_and_tells_each_subscriber_once(
    desk, deliver_outbox
):
    email = ComponentFactory(service=desk.service)
    other = ComponentFactory()
    SubscriberFactory(email="all@example.org")
    of_email = SubscriberFactory(email="mail@example.org", all_components=False)
    of_email.components.set([email])
    of_other = SubscriberFactory(email="other@example.org", all_components=False)
    of_other.components.set([other])
    SubscriberFactory(email="pending@example.org", confirmed_at=None)
    SubscriberFactory(email="gone@example.org", unsubscribed_at=timezone.now())
    ticket = _p1(desk)
    assert ticket.priority == 1
    deliver_outbox()
    mail.outbox.clear()

    incident = services.incident_publish(
        actor=desk.l1_agent,
        ticket=ticket,
        title="Email is unavailable",
        message="We are looking into it.",
        components=[email],
        component_status="major_outage",
    )

    email.refresh_from_db()
    assert email.status == "major_outage"
    assert incident.impact == "critical"
    assert incident.ticket == ticket
    sent = deliver_outbox()
    assert sorted(m.to[0] for m in sent) == ["all@example.org", "mail@example.org"]
    message = next(m for m in sent if m.to[0] == "mail@example.org")
    assert message.subject == "[Investigating] Email is unavailable"
    assert "We are looking into it." in message.body
    assert "Mail server down" not in message.body  # the ticket is never public
    url = services.unsubscribe_url(of_email)
    assert url in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url not in next(m for m in sent if m.to[0] == "all@example.org").body


def test_a_ticket_has_one_open_public_incident(desk):
    ticket = _p1(desk)
    services.incident_publish(actor=desk.l1_agent, ticket=ticket, title="A", message="a")
    with pytest.raises(ValidationFailed) as raised:
        services.incident_publish(actor=desk.l1_agent, ticket=ticket, title="B", message="b")
    assert "ticket" in raised.value.errors


def test_updates_follow_the_table_and_resolving_restores_the_components(desk, deliver_outbox):
    component = ComponentFactory(service=desk.service)
    SubscriberFactory(email="reader@example.org")
    incident = services.incident_publish(
        actor=desk.l1_agent,
        title="Email is slow",
        message="Investigating.",
        components=[component],
        component_status="degraded_performance",
    )
    services.incident_update_post(
        incident=incident, actor=desk.l1_agent, status="identified", message="Found it."
    )
    services.incident_update_post(
        incident=incident, actor=desk.l1_agent, status="monitoring", message="Fixed; watching."
    )
    services.incident_update_post(
        incident=incident, actor=desk.l1_agent, status="resolved", message="All good."
    )
    incident.refresh_from_db()
    component.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at and incident.monitoring_at
    assert component.status == ComponentStatus.OPERATIONAL
    assert [m.subject.split("]")[0] for m in deliver_outbox()] == [
        "[Investigating",
        "[Identified",
        "[Monitoring",
        "[Resolved",
    ]
    with pytest.raises(TransitionNotAllowed):
        services.incident_update_post(
            incident=incident, actor=desk.l1_agent, status="monitoring", message="Again?"
        )


def test_resolving_leaves_a_component_another_open_incident_holds(desk):
    component = ComponentFactory()
    first = services.incident_publish(
        actor=desk.l1_agent, title="A", message="a", components=[component]
    )
    services.incident_publish(actor=desk.l1_agent, title="B", message="b", components=[component])
    services.incident_update_post(
        incident=first, actor=desk.l1_agent, status="resolved", message="done"
    )
    component.refresh_from_db()
    assert component.status == ComponentStatus.PARTIAL


def test_a_retried_notice_is_not_written_twice(desk):
    SubscriberFactory()
    incident = services.incident_publish(actor=desk.l1_agent, title="A", message="a")
    update = incident.updates.get()
    before = OutboxMessage.objects.count()
    services._update_notify(incident, update, fresh=False)
    assert OutboxMessage.objects.count() == before == 1


def test_subscribing_sends_one_confirmation_a_day_and_nothing_before_confirming(
    desk, deliver_outbox
):
    subscriber = services.subscriber_subscribe(email="new@example.org", language="ro")
    services.subscriber_subscribe(email="NEW@example.org", language="ro")
    sent = deliver_outbox()
    assert len(sent) == 1
    assert sent[0].subject == "Confirmați abonarea la pagina de stare"
    link = next(w for w in sent[0].body.split() if "/status/confirm/" in w)
    assert services.subscriber_for_confirm(link.rstrip("/").rsplit("/", 1)[1]) == subscriber
    services.incident_publish(actor=desk.l1_agent, title="A", message="a")
    assert len(deliver_outbox()) == 1  # not confirmed: nothing
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        services.subscriber_subscribe(email="new@example.org", language="en")
        assert len(deliver_outbox()) == 2


def test_a_confirmed_address_is_sent_no_new_confirmation(deliver_outbox):
    SubscriberFactory(email="known@example.org")
    services.subscriber_subscribe(email="known@example.org", language="en")
    assert deliver_outbox() == []


def test_confirm_then_unsubscribe(desk, deliver_outbox):
    subscriber = services.subscriber_subscribe(email="x@example.org", language="en")
    token = services.confirm_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    assert services.subscriber_confirm(token=token).is_active
    services.incident_publish(actor=desk.l1_agent, title="A", message="a")
    assert len(deliver_outbox()) == 2
    unsubscribe = services.unsubscribe_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    services.subscriber_unsubscribe(token=unsubscribe)
    services.incident_publish(actor=desk.l1_agent, title="B", message="b")
    assert len(deliver_outbox()) == 2


def test_a_bad_or_forged_token_is_refused():
    with pytest.raises(ValidationFailed):
        services.subscriber_confirm(token="1:forged")
    with pytest.raises(ValidationFailed):
        services.subscriber_unsubscribe(token="nonsense")


def test_a_bad_address_names_the_field():
    with pytest.raises(ValidationFailed) as raised:
        services.subscriber_subscribe(email="not an address", language="en")
    assert "email" in raised.value.errors
    assert not Subscriber.objects.exists()


def test_unconfirmed_subscriptions_expire():
    services.subscriber_subscribe(email="late@example.org", language="en")
    SubscriberFactory(email="kept@example.org")
    assert services.subscribers_expire(now=timezone.now() + timedelta(days=8)) == 1
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]


def test_maintenance_is_announced_and_checked(desk, deliver_outbox):
    component = ComponentFactory()
    SubscriberFactory(email="reader@example.org")
    now = timezone.now()
    with pytest.raises(ValidationFailed) as raised:
        services.maintenance_schedule(
            actor=desk.l1_agent,
            title="Upgrade",
            message="m",
            components=[component],
            starts_at=now + timedelta(hours=2),
            ends_at=now + timedelta(hours=1),
        )
    assert "ends_at" in raised.value.errors
    services.maintenance_schedule(
        actor=desk.l1_agent,
        title="Upgrade",
        message="The mail server is upgraded.",
        components=[component],
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    (sent,) = deliver_outbox()
    assert sent.subject == "[Scheduled maintenance] Upgrade"
