"""The demo desk (`seed_demo`) and the bulk tickets for benchmarks (`seed_tickets`)."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.catalog.models import Category, ConfigurationItem, DiagnosticQuestion, Service
from servicedesk.notifications.models import OutboxMessage
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Kind, Ticket, TicketEvent, TierStint
from servicedesk.tickets.priority import Priority
from servicedesk.tickets.states import OPEN_STATUSES, CancelReason, HoldReason, Status

pytestmark = pytest.mark.django_db

COUNTED = (
    User,
    SupportGroup,
    Service,
    ConfigurationItem,
    Category,
    DiagnosticQuestion,
    Ticket,
    TicketEvent,
    TierStint,
    OutboxMessage,
)


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_seed_demo_builds_a_desk_with_a_month_of_history_once():
    output = seed_demo()

    tickets = Ticket.objects.all()
    assert tickets.count() >= 200
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert set(tickets.values_list("hold_reason", flat=True)) >= set(HoldReason.values)
    assert set(tickets.values_list("cancel_reason", flat=True)) >= set(CancelReason.values)
    assert set(tickets.values_list("kind", flat=True)) == set(Kind.values)
    assert set(tickets.values_list("channel", flat=True)) == set(Channel.values)
    assert set(tickets.values_list("priority", flat=True)) == set(Priority.values)
    assert tickets.filter(parent__isnull=False).count() >= 5
    assert tickets.filter(duplicate_of__isnull=False).exists()
    assert tickets.filter(tier=3).exists() and tickets.filter(reopen_count__gt=0).exists()

    assert Category.objects.count() >= 30
    leaves = Category.objects.filter(parent__isnull=False)
    questions = Counter(DiagnosticQuestion.objects.values_list("category_id", flat=True))
    assert all(2 <= questions[pk] <= 4 for pk in leaves.values_list("pk", flat=True))
    assert set(DiagnosticQuestion.objects.values_list("answer_type", flat=True)) == {
        "text",
        "yes_no",
        "choice",
    }
    assert Service.objects.filter(owner_group__isnull=False).count() >= 10
    requesters = User.objects.filter(role=Role.REQUESTER)
    assert requesters.count() >= 20
    assert set(requesters.values_list("language", flat=True)) == {"en", "ro"}
    assert set(User.objects.values_list("time_zone", flat=True)) == {"Europe/Bucharest"}
    # The monitoring system logs tickets but is never emailed about them.
    monitoring = User.objects.get(username="monitoring")
    assert not monitoring.email_notifications
    assert monitoring.requested_tickets.exists()
    assert not OutboxMessage.objects.filter(destination=monitoring.email).exists()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("demo")

    # The history was written by the services, in order, and nothing of it is mailed now.
    timelines: dict[int, list] = {}
    for ticket_id, type_, at in TicketEvent.objects.order_by("id").values_list(
        "ticket_id", "type", "created_at"
    ):
        timelines.setdefault(ticket_id, []).append((type_, at))
    assert set(timelines) == set(tickets.values_list("pk", flat=True))
    for events in timelines.values():
        assert events[0][0] == TicketEvent.Type.CREATED
        assert [at for _type, at in events] == sorted(at for _type, at in events)
    assert not TierStint.objects.exclude(ticket__in=tickets).exists()
    for ticket in tickets.filter(status__in=OPEN_STATUSES):
        open_stints = ticket.tier_stints.filter(ended_at__isnull=True)
        assert [s.group_id for s in open_stints] == [ticket.assignment_group_id]
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()

    for login in ("admin", "agent.l1", "agent.l3", "manager.desk", "security", "requester"):
        assert login in output

    # Every name the catalogue shows has its Romanian, and a choice question as many choices.
    for model, field in ((SupportGroup, "name"), (Service, "name"), (Category, "name")):
        assert not model.objects.filter(**{f"{field}_ro__isnull": True}).exists()
    assert not DiagnosticQuestion.objects.filter(text_ro__isnull=True).exists()
    for question in DiagnosticQuestion.objects.filter(answer_type="choice"):
        assert len(question.choices_ro) == len(question.choices_en) >= 2
    assert Category.objects.filter(name_ro="VPN", parent__name_ro="Rețea").exists()
    assert SupportGroup.objects.filter(name_ro="Serviciul de asistență").exists()
    # A desk seeded before the catalogue was translated gets its Romanian on the next run.
    Category.objects.filter(name_en="Hardware").update(name_ro=None)

    before = row_counts()
    output = seed_demo()
    assert row_counts() == before
    assert Category.objects.get(parent=None, name_en="Hardware").name_ro == "Echipamente"
    assert "already in place" in output and "agent.l1" in output


def test_seed_tickets_numbers_continue_the_ticket_sequence():
    call_command("seed_tickets", "500", verbosity=0, stdout=io.StringIO())

    numbers = set(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == Ticket.objects.count() == 500
    assert TicketEvent.objects.filter(type=TicketEvent.Type.CREATED).count() == 500
    assert TierStint.objects.count() == 500
    assert 0.6 < Ticket.objects.open().count() / 500 < 0.8
    assert Ticket.objects.values("assignment_group").distinct().count() >= 4
    assert Ticket.objects.values("priority").distinct().count() == 5

    requester = User.objects.get(username="requester")
    incident = services.ticket_log(actor=requester, title="Printer on fire")
    request = services.ticket_log(actor=requester, title="New mouse", kind=Kind.SERVICE_REQUEST)
    assert incident.number not in numbers and request.number not in numbers

    call_command("seed_tickets", "300", verbosity=0, stdout=io.StringIO())
    assert Ticket.objects.values("number").distinct().count() == Ticket.objects.count() == 802


def test_the_demo_starts_calm_its_breaches_and_escalations_spread_over_its_history():
    """Warnings, breaches and the escalations they cause happened when they were due: the first
    sweep after seeding has little left to do, and no ticket jumps tiers at once."""
    seed_demo()
    now = timezone.now()
    sla_rows = TicketEvent.objects.filter(type=TicketEvent.Type.SLA)
    breaches = sla_rows.filter(data__what="breach")
    assert breaches.count() >= 10  # the month had its breaches…
    recent = breaches.filter(created_at__gte=now - timedelta(minutes=10)).count()
    assert recent <= 3, f"{recent} breaches recorded as the demo starts"
    days = {at.date() for at in breaches.values_list("created_at", flat=True)}
    assert len(days) >= 10  # …on many days, not in one second
    automatic = TicketEvent.objects.filter(type=TicketEvent.Type.ESCALATED, actor=None)
    per_ticket_and_minute = Counter(
        (ticket, at.replace(second=0, microsecond=0))
        for ticket, at in automatic.values_list("ticket_id", "created_at")
    )
    assert all(n == 1 for n in per_ticket_and_minute.values())  # no L1 → L2 → L3 at once
