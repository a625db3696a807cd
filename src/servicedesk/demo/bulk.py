"""`servicedesk seed --tickets N`: many valid tickets, fast, for benchmarks.

Rows are written directly (COPY on PostgreSQL, bulk_create elsewhere) rather than through the
services, which would take hours for a million tickets. They are still valid tickets: numbers
come from the same sequence the services use, each ticket has its 'created' timeline event and a
tier stint, milestones agree with the status, and the assignee belongs to the group. They have no
SLA clocks: a sweep over a year of open tickets would only mail a breach for each of them.
"""

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from tqdm import tqdm

from servicedesk.accounts.models import Role, User
from servicedesk.core.models import Counter
from servicedesk.demo import data
from servicedesk.demo.desk import Desk, desk_seed
from servicedesk.tickets.models import NUMBER_PREFIX, Channel, Kind, Ticket, TicketEvent, TierStint
from servicedesk.tickets.priority import priority_matrix
from servicedesk.tickets.services import NUMBER_START
from servicedesk.tickets.states import CancelReason, HoldReason, Status

SEED = 7
# About 70 % open, so that queues have plenty to show.
STATUSES = {
    Status.NEW: 15,
    Status.ASSIGNED: 20,
    Status.IN_PROGRESS: 25,
    Status.ON_HOLD: 10,
    Status.RESOLVED: 8,
    Status.CLOSED: 19,
    Status.CANCELLED: 3,
}
CHANNELS = {Channel.PORTAL: 45, Channel.EMAIL: 25, Channel.PHONE: 22, Channel.API: 8}
IMPACTS = {"high": 12, "medium": 45, "low": 43}
URGENCIES = {"high": 18, "medium": 47, "low": 35}
# Where a ticket sits: with its first group, its specialists, or engineering.
STAGES = {"first": 60, "specialists": 30, "engineering": 10}
YEAR = timedelta(days=365)
# One requester per this many tickets (demo requesters included), up to REQUESTERS_MAX.
TICKETS_PER_REQUESTER = 200
REQUESTERS_MAX = 5000
FIRST_NAMES = (
    "Ana", "Andrei", "Bianca", "Cosmin", "Daria", "Dragoș", "Elena", "Florin", "Gabriela",
    "Horia", "Ilinca", "Ionuț", "Larisa", "Marius", "Nicoleta", "Ovidiu", "Petra", "Sebastian",
    "Tamara", "Victor", "Amelia", "George", "Grace", "Jack", "Lily", "Noah", "Olivia", "Ryan",
)  # fmt: skip
LAST_NAMES = (
    "Anghel", "Bălan", "Ciobanu", "Dinu", "Ene", "Filip", "Grigore", "Ilie", "Lupu", "Manole",
    "Neagu", "Oprea", "Preda", "Rusu", "Sârbu", "Tănase", "Ursu", "Voicu", "Zaharia",
    "Baker", "Cooper", "Evans", "Hall", "Lewis", "Morgan", "Parker", "Turner", "Walker",
)  # fmt: skip


@dataclass
class BulkResult:
    created: int
    seconds: float
    requesters_created: int


def tickets_bulk_create(
    *, count: int, batch_size: int = 20_000, progress: bool = True, seed: int = SEED
) -> BulkResult:
    """Add `count` tickets to the desk (creating its people and catalog first if missing).

    Each batch is one transaction. Safe to run again: numbers continue from the sequence.
    """
    started = time.monotonic()
    with transaction.atomic():
        desk = desk_seed()
        requesters_created = _requesters_ensure(count)
    rng = random.Random(seed)
    maker = _RowMaker(desk, rng, anchor=timezone.now())
    write = _write_copy if connection.vendor == "postgresql" else _write_orm
    with tqdm(total=count, unit=" tickets", disable=not progress, smoothing=0.1) as bar:
        done = 0
        while done < count:
            size = min(batch_size, count - done)
            with transaction.atomic():
                write([maker.ticket() for _ in range(size)])
            done += size
            bar.update(size)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the first queries after seeding get the plans they will get later.
        with connection.cursor() as cursor:
            for model in (Ticket, TicketEvent, TierStint):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return BulkResult(
        created=count, seconds=time.monotonic() - started, requesters_created=requesters_created
    )


def _requesters_ensure(count: int) -> int:
    """Enough requesters that no one person owns an unrealistic share of the tickets."""
    wanted = min(REQUESTERS_MAX, count // TICKETS_PER_REQUESTER) - len(data.REQUESTERS)
    usernames = [f"customer.{n:05d}" for n in range(1, wanted + 1)]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    password = make_password(None)  # unusable: these people never log in
    people = []
    for n, username in enumerate(usernames, start=1):
        if username in existing:
            continue
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        people.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{data.DOMAIN}",
                phone=f"+40 745 {n:06d}",
                language="en" if n % 3 == 0 else "ro",
                time_zone=data.TIME_ZONE,
                role=Role.REQUESTER,
                password=password,
            )
        )
    User.objects.bulk_create(people, batch_size=1000)
    return len(people)


@dataclass
class _GroupPick:
    id: int
    tier: int
    label: str  # as the timeline's 'created' event names it
    members: list[int]


class _RowMaker:
    """Draws one ticket at a time as a dict of field values, with its event and stint."""

    def __init__(self, desk: Desk, rng: random.Random, *, anchor: datetime):
        self.rng = rng
        self.anchor = anchor
        self.matrix = priority_matrix()
        self.groups = {
            key: _GroupPick(group.pk, group.tier, str(group), [m.pk for m in desk.members[key]])
            for key, group in desk.groups.items()
        }
        self.desk_agents = self.groups["desk"].members or [desk.people["admin"].pk]
        self.requesters = list(
            User.objects.filter(role=Role.REQUESTER, is_active=True)
            .exclude(pk=desk.monitoring.pk)
            .values_list("pk", "first_name", "last_name", "email", "phone")
        )
        self.monitoring = desk.monitoring
        self.leaves = [
            (
                leaf,
                self.groups[leaf.leaf.default_group or "desk"],
                self.groups[leaf.leaf.default_group or leaf.branch.specialists],
                [desk.items[s.alert_item].pk if s.alert_item else None for s in leaf.leaf.subjects],
            )
            for leaf in desk.leaves
        ]
        self.leaf_weights = [leaf.leaf.weight for leaf in desk.leaves]
        self.defaults = {
            f.attname: f.get_default() for f in Ticket._meta.concrete_fields if not f.primary_key
        }

    def _pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _after(self, start: datetime, low: float, high: float) -> datetime:
        """A moment `low`..`high` minutes after `start`, never in the future."""
        return min(self.anchor, start + timedelta(minutes=self.rng.uniform(low, high)))

    def ticket(self) -> dict:
        rng = self.rng
        leaf, first, specialists, alert_items = rng.choices(self.leaves, self.leaf_weights)[0]
        n = rng.randrange(len(leaf.leaf.subjects))
        subject = leaf.leaf.subjects[n]
        status = self._pick(STATUSES)
        if subject.alert_item:
            channel = Channel.MONITORING
            person = (
                self.monitoring.pk,
                self.monitoring.first_name,
                self.monitoring.last_name,
                self.monitoring.email,
                self.monitoring.phone,
            )
        else:
            channel = self._pick(CHANNELS)
            person = rng.choice(self.requesters)
        requester_id, first_name, last_name, email, phone = person
        impact, urgency = self._pick(IMPACTS), self._pick(URGENCIES)
        stage = self._pick(STAGES) if status != Status.NEW else "first"
        group = {"first": first, "specialists": specialists}.get(stage, self.groups["engineering"])
        escalations = 0 if group is first else (1 if group.tier - first.tier <= 1 else 2)

        if status in {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD}:
            # Open tickets are mostly recent, with a tail of old ones.
            age = timedelta(days=min(365.0, rng.expovariate(1 / 20)))
        elif status == Status.RESOLVED:
            age = timedelta(days=rng.uniform(0.05, 3))
        else:
            age = YEAR * rng.random()
        created = self.anchor - age
        row = dict(self.defaults)
        row.update(
            kind=subject.kind,
            status=status,
            requester_id=requester_id,
            requester_name=f"{first_name} {last_name}".strip(),
            requester_email=email,
            requester_phone=phone,
            channel=channel,
            logged_by_id=rng.choice(self.desk_agents) if channel == Channel.PHONE else requester_id,
            title=subject.title,
            description=subject.description,
            category_id=leaf.category.pk,
            service_id=leaf.service.pk,
            configuration_item_id=alert_items[n],
            impact=impact,
            urgency=urgency,
            priority=self.matrix[(impact, urgency)],
            assignment_group_id=group.id,
            tier=group.tier,
            escalation_count=escalations,
            reassignment_count=escalations,
            reported_at=created,
            created_at=created,
        )
        moments = [created]
        if status != Status.NEW and status != Status.CANCELLED and group.members:
            row["assignee_id"] = rng.choice(group.members)
            row["assigned_at"] = self._after(created, 2, 240)
            row["first_response_at"] = self._after(created, 5, 360)
            moments += [row["assigned_at"], row["first_response_at"]]
        if status == Status.ON_HOLD:
            row["hold_reason"] = rng.choice(HoldReason.values)
        if status in {Status.RESOLVED, Status.CLOSED}:
            row["resolution_code"] = (
                "fulfilled" if subject.kind == Kind.SERVICE_REQUEST else "solved_permanently"
            )
            row["resolution_notes"] = subject.fix
            row["service_restored"] = True if subject.kind == Kind.INCIDENT else None
            row["resolved_at"] = self._after(moments[-1], 30, 5 * 24 * 60)
            moments.append(row["resolved_at"])
        if status == Status.CLOSED:
            row["closed_at"] = self._after(row["resolved_at"], 60, 3 * 24 * 60)
            moments.append(row["closed_at"])
        if status == Status.CANCELLED:
            row["cancel_reason"] = rng.choice(
                [CancelReason.WITHDRAWN, CancelReason.NOT_AN_INCIDENT]
            )
            row["cancelled_at"] = self._after(created, 10, 2 * 24 * 60)
            moments.append(row["cancelled_at"])
        row["updated_at"] = max(moments)
        row["version"] = len(moments) + escalations
        row["_group_label"] = group.label
        return row


TICKET_FIELDS = [f for f in Ticket._meta.concrete_fields if not f.primary_key]


def _stint_end(row: dict) -> datetime | None:
    return row["resolved_at"] or row["cancelled_at"]


def _event_data(row: dict) -> dict:
    # What events.event_created records.
    return {
        "channel": row["channel"],
        "kind": row["kind"],
        "priority": row["priority"],
        "group": row["_group_label"],
    }


def _numbers_reserve(kind: str, count: int) -> list[int]:
    """`count` numbers from the sequence ticket_log numbers from, taken in one go."""
    name = f"ticket_{kind}"
    if connection.vendor == "postgresql":
        # nextval per row: concurrent ticket_log calls interleave safely, nothing is reused.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [f"seq_{name}", count])
            return [value for (value,) in cursor.fetchall()]
    # Elsewhere the counter row: the UPDATE holds the write lock until this batch commits.
    if not Counter.objects.filter(name=name).update(value=F("value") + count):
        Counter.objects.create(name=name, value=NUMBER_START + count - 1)
    last = Counter.objects.values_list("value", flat=True).get(name=name)
    return list(range(last - count + 1, last + 1))


def _numbers_assign(rows: list[dict]) -> None:
    for kind in Kind.values:
        mine = [row for row in rows if row["kind"] == kind]
        if mine:
            for row, value in zip(mine, _numbers_reserve(kind, len(mine)), strict=True):
                row["number"] = f"{NUMBER_PREFIX[kind]}{value:07d}"


def _write_copy(rows: list[dict]) -> None:
    """PostgreSQL: ids from the table's own sequence, then three COPYs."""
    _numbers_assign(rows)
    quote = connection.ops.quote_name
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [value for (value,) in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in ["id", *(f.column for f in TICKET_FIELDS)])
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row([pk, *(row[f.attname] for f in TICKET_FIELDS)])
        events = TicketEvent._meta.db_table
        with cursor.copy(
            f"COPY {quote(events)} (ticket_id, type, actor_id, created_at, is_public, body, data)"
            " FROM STDIN"
        ) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row(
                    [
                        pk,
                        TicketEvent.Type.CREATED,
                        row["logged_by_id"],
                        row["created_at"],
                        True,
                        "",
                        json.dumps(_event_data(row)),
                    ]
                )
        stints = TierStint._meta.db_table
        with cursor.copy(
            f"COPY {quote(stints)} (ticket_id, group_id, tier, started_at, ended_at) FROM STDIN"
        ) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row(
                    [
                        pk,
                        row["assignment_group_id"],
                        row["tier"],
                        row["created_at"],
                        _stint_end(row),
                    ]
                )


def _write_orm(rows: list[dict]) -> None:
    """Other databases: bulk_create in batches (SQLite returns the new ids)."""
    _numbers_assign(rows)
    tickets = [Ticket(**{f.attname: row[f.attname] for f in TICKET_FIELDS}) for row in rows]
    Ticket.objects.bulk_create(tickets, batch_size=500)
    if any(ticket.pk is None for ticket in tickets):
        ids = dict(
            Ticket.objects.filter(number__in=[t.number for t in tickets]).values_list(
                "number", "pk"
            )
        )
        for ticket in tickets:
            ticket.pk = ids[ticket.number]
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=ticket.pk,
                type=TicketEvent.Type.CREATED,
                actor_id=row["logged_by_id"],
                created_at=row["created_at"],
                is_public=True,
                data=_event_data(row),
            )
            for ticket, row in zip(tickets, rows, strict=True)
        ],
        batch_size=1000,
    )
    TierStint.objects.bulk_create(
        [
            TierStint(
                ticket_id=ticket.pk,
                group_id=row["assignment_group_id"],
                tier=row["tier"],
                started_at=row["created_at"],
                ended_at=_stint_end(row),
            )
            for ticket, row in zip(tickets, rows, strict=True)
        ],
        batch_size=1000,
    )
