"""A restricted ticket (a security incident, a data breach) is seen only by its group and the
people listed on it, on every path a person can take: administrators are not exempt."""

import csv
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from servicedesk.accounts.models import Role
from servicedesk.core.due import due_sweep
from servicedesk.core.errors import NotPermitted, ValidationFailed
from servicedesk.notifications.models import OutboxMessage, WebhookEndpoint
from servicedesk.sla.models import SlaClock
from servicedesk.tickets import selectors, services
from servicedesk.tickets.models import Ticket, TicketEvent
from servicedesk.tickets.states import CancelReason
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.tickets.factories import ticket_logged


@dataclass
class Scene:
    restricted: Ticket  # the requester's; open, breached, child of `parent`
    parent: Ticket  # the requester's; ordinary, open
    child: Ticket  # the other requester's; ordinary, open, child of `restricted`
    duplicate: Ticket  # the requester's; restricted, cancelled as a duplicate of `parent`
    attachment_id: int
    people: dict


def _scene(desk, *, keep_requester: bool) -> Scene:
    member = AgentFactory(username="sofia.sec", first_name="Sofia")
    security = SupportGroupFactory(name="Security", tier=2, members=[member])
    officer = UserFactory(username="ofelia", role=Role.SECURITY_OFFICER, first_name="Ofelia")
    listed = AgentFactory(username="dan.dpo", first_name="Dan")
    parent = ticket_logged(requester=desk.requester, title="Mail relay rejects everything")
    restricted = ticket_logged(requester=desk.requester, title="Phishing mail opened payroll")
    child = ticket_logged(requester=desk.other_requester, title="Strange mail forwarded")
    duplicate = ticket_logged(requester=desk.requester, title="Payroll phishing again")
    services.ticket_set_parent(ticket=restricted, actor=desk.l1_agent, parent=parent)
    services.ticket_set_parent(ticket=child, actor=desk.l1_agent, parent=restricted)
    services.ticket_mark_duplicate(ticket=duplicate, actor=desk.l1_agent, of=parent)
    for ticket in (restricted, duplicate):
        services.ticket_restrict(
            ticket=ticket,
            actor=officer,
            group=security,
            people=[listed],
            keep_requester=keep_requester,
            reason="Personal data of the payroll may be exposed.",
        )
    SlaClock.objects.filter(ticket=restricted).update(breached_at=timezone.now())
    services.ticket_comment(
        ticket=Ticket.objects.get(pk=restricted.pk),
        actor=officer,
        body="Mail headers attached.",
        files=[SimpleUploadedFile("headers.txt", b"Received: evil", content_type="text/plain")],
    )
    people = {
        "security_member": member,
        "officer": officer,
        "listed": listed,
        **{
            name: getattr(desk, name) for name in vars(desk) if hasattr(getattr(desk, name), "role")
        },
    }
    return Scene(
        restricted=Ticket.objects.get(pk=restricted.pk),
        parent=parent,
        child=child,
        duplicate=duplicate,
        attachment_id=restricted.attachments.get().pk,
        people=people,
    )


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["number"] for row in response.json()["results"]]


def _api_paths(client, scene: Scene) -> dict[str, bool]:
    """For each API path: does the reader get the restricted ticket (or its files, its number)?"""
    number = scene.restricted.number
    base = f"/api/tickets/{number}"
    found = {
        name: client.get(path).status_code == 200
        for name, path in {
            "detail": f"{base}/",
            "timeline": f"{base}/timeline/",
            "comments": f"{base}/comments/",
            "attachments": f"{base}/attachments/",
            "download": f"{base}/attachments/{scene.attachment_id}/download/",
            "sla": f"{base}/sla/",
        }.items()
    }
    found["list"] = number in _numbers(client.get("/api/tickets/?page_size=100"))
    found["search by number"] = number in _numbers(client.get("/api/tickets/", {"q": number}))
    found["search by words"] = number in _numbers(client.get("/api/tickets/", {"q": "payroll"}))
    found["duplicate in search"] = scene.duplicate.number in _numbers(
        client.get("/api/tickets/", {"q": "payroll"})
    )
    parent = client.get(f"/api/tickets/{scene.parent.number}/").json()
    found["child of the parent"] = number in parent.get("children", [])
    child = client.get(f"/api/tickets/{scene.child.number}/").json()
    found["parent of the child"] = child.get("parent") == number
    return found


def _everything(found: dict[str, bool]) -> set[bool]:
    return set(found.values())


STAFF = [
    ("l1_agent", False),
    ("l2_network_agent", False),
    ("l3_agent", False),
    ("manager", False),
    ("admin", False),
    ("security_member", True),
    ("listed", True),
    ("officer", True),
]


@pytest.mark.parametrize(("who", "sees"), STAFF)
def test_desk_staff_see_a_restricted_ticket_only_in_its_group_or_listed(
    desk, api_for, client, who, sees
):
    scene = _scene(desk, keep_requester=False)
    person = scene.people[who]

    api = _api_paths(api_for(person), scene)
    assert api == dict.fromkeys(api, sees)
    sla_list = _numbers(api_for(person).get("/api/tickets/", {"sla": "breached"}))
    assert (scene.restricted.number in sla_list) is sees

    client.force_login(person)
    number = scene.restricted.number
    open_page = client.get("/desk/", {"queue": "open"})
    breached_page = client.get("/desk/", {"queue": "breached"})
    assert (number in open_page.content.decode()) is sees
    assert (number in breached_page.content.decode()) is sees
    # The parent, the child and the restricted ticket are open; only the restricted one breached.
    assert open_page.context["counts"]["open"] == (3 if sees else 2)
    assert open_page.context["counts"]["breached"] == (1 if sees else 0)
    assert client.get(f"/desk/tickets/{number}/").status_code == (200 if sees else 404)
    parent_page = client.get(f"/desk/tickets/{scene.parent.number}/").content.decode()
    assert (number in parent_page) is sees
    assert (scene.duplicate.number in parent_page) is sees
    child_page = client.get(f"/desk/tickets/{scene.child.number}/").content.decode()
    assert (number in child_page) is sees

    numbers = [t.number for t in selectors.ticket_numbers_visible(user=person, numbers=[number])]
    assert numbers == ([number] if sees else [])

    today = timezone.localdate().isoformat()
    period = {"start": today, "end": today, "breakdown": "priority"}
    totals = api_for(person).get("/api/reports/summary/", period).json()["totals"]
    # Logged today: the parent and the child, and the two restricted ones if seen.
    assert totals["logged"] == (4 if sees else 2)
    export = client.get("/desk/reports/export.csv", period)
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert sum(int(row["Logged"]) for row in rows) == (4 if sees else 2)


@pytest.mark.parametrize(
    ("who", "keep_requester", "sees"),
    [
        ("requester", True, True),
        ("requester", False, False),
        ("other_requester", True, False),
    ],
)
def test_requesters_see_a_restricted_ticket_only_their_own_when_kept(
    desk, api_for, client, who, keep_requester, sees
):
    scene = _scene(desk, keep_requester=keep_requester)
    person = scene.people[who]
    number = scene.restricted.number

    api = _api_paths(api_for(person), scene)
    # The child is the other requester's, who never sees its (restricted) parent.
    assert api == dict.fromkeys(api, sees) | {"parent of the child": False}

    client.force_login(person)
    assert client.get(f"/tickets/{number}/").status_code == (200 if sees else 404)
    home = client.get("/").content.decode()
    assert (number in home) is sees
    if who == "requester":
        parent_page = client.get(f"/tickets/{scene.parent.number}/").content.decode()
        assert (number in parent_page) is sees


def test_restricting_is_for_security_officers_and_admins_who_see_the_ticket(desk):
    ticket = ticket_logged(requester=desk.requester, title="Laptop stolen")
    security = SupportGroupFactory(name="Security", tier=2)
    with pytest.raises(NotPermitted):
        services.ticket_restrict(
            ticket=ticket, actor=desk.l1_agent, group=security, reason="Stolen data"
        )
    services.ticket_restrict(ticket=ticket, actor=desk.admin, group=security, reason="Stolen data")
    # Another administrator, not listed, may not see it, nor lift the restriction.
    other_admin = UserFactory(username="root2", role=Role.ADMIN)
    with pytest.raises(NotPermitted):
        services.ticket_unrestrict(ticket=ticket, actor=other_admin, reason="Oops")
    assert not Ticket.objects.visible_to(other_admin).filter(pk=ticket.pk).exists()

    ticket = services.ticket_unrestrict(ticket=ticket, actor=desk.admin, reason="Found it")
    assert ticket.is_restricted is False
    assert Ticket.objects.visible_to(other_admin).filter(pk=ticket.pk).exists()
    rows = TicketEvent.objects.filter(ticket=ticket, type=TicketEvent.Type.RESTRICTED)
    assert [(r.data["restricted"], r.data["reason"]) for r in rows] == [
        (True, "Stolen data"),
        (False, "Found it"),
    ]
    assert not any(r.is_public for r in rows)


def test_restricting_needs_an_active_group_and_a_reason(desk):
    ticket = ticket_logged(requester=desk.requester, title="Laptop stolen")
    retired = SupportGroupFactory(name="Old security", is_active=False)
    with pytest.raises(ValidationFailed) as refused:
        services.ticket_restrict(ticket=ticket, actor=desk.admin, group=retired, reason=" ")
    assert set(refused.value.errors) == {"group", "reason"}
    with pytest.raises(ValidationFailed) as refused:
        services.ticket_unrestrict(ticket=ticket, actor=desk.admin, reason="Nothing to lift")
    assert set(refused.value.errors) == {"ticket"}
    assert Ticket.objects.get(pk=ticket.pk).is_restricted is False


def test_a_listed_person_removed_loses_the_ticket_at_once_in_the_queue_counts(desk):
    security = SupportGroupFactory(name="Security", tier=2)
    ticket = ticket_logged(requester=desk.requester, title="Suspicious login")
    now = selectors.queue_now()
    before = selectors.queue_counts(user=desk.l1_agent, now=now)["open"]
    services.ticket_restrict(
        ticket=ticket, actor=desk.admin, group=security, people=[desk.l1_agent], reason="Breach"
    )
    # The same minute, so the same compiled statement: the list is read inside it.
    assert selectors.queue_counts(user=desk.l1_agent, now=now)["open"] == before
    services.ticket_restrict(
        ticket=ticket, actor=desk.admin, group=security, people=[], reason="Fewer people"
    )
    assert selectors.queue_counts(user=desk.l1_agent, now=now)["open"] == before - 1


def test_a_ticket_logged_restricted_is_seen_by_its_group_the_requester_and_the_actor(desk):
    security = SupportGroupFactory(name="Security", tier=2, members=[desk.l2_agent])
    ticket = services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Our data is on a paste site",
        restricted_group=security,
    )
    assert ticket.is_restricted
    seen = {
        name: Ticket.objects.visible_to(getattr(desk, name)).filter(pk=ticket.pk).exists()
        for name in ("l1_agent", "l2_agent", "requester", "l3_agent", "admin", "other_requester")
    }
    assert seen == {
        "l1_agent": True,
        "l2_agent": True,
        "requester": True,
        "l3_agent": False,
        "admin": False,
        "other_requester": False,
    }


def test_a_ticket_cannot_be_linked_to_a_restricted_one_its_agent_cannot_see(desk):
    security = SupportGroupFactory(name="Security", tier=2)
    hidden = ticket_logged(requester=desk.requester, title="Ransomware note")
    services.ticket_restrict(ticket=hidden, actor=desk.admin, group=security, reason="Breach")
    ticket = ticket_logged(requester=desk.other_requester, title="Files renamed")
    with pytest.raises(ValidationFailed) as refused:
        services.ticket_set_parent(ticket=ticket, actor=desk.l1_agent, parent=hidden)
    assert refused.value.errors == {"parent": [f"There is no ticket {hidden.number}."]}
    with pytest.raises(ValidationFailed) as refused:
        services.ticket_cancel(
            ticket=ticket,
            actor=desk.l1_agent,
            reason=CancelReason.DUPLICATE,
            duplicate_of=hidden,
        )
    assert set(refused.value.errors) == {"duplicate_of"}


def test_the_console_and_the_api_say_a_ticket_is_restricted(desk, api_for, client):
    security = SupportGroupFactory(name="Security", tier=2, members=[desk.l2_agent])
    ticket = ticket_logged(requester=desk.requester, title="Badge cloned")
    services.ticket_restrict(ticket=ticket, actor=desk.admin, group=security, reason="Breach")

    body = api_for(desk.l2_agent).get(f"/api/tickets/{ticket.number}/").json()
    assert body["is_restricted"] is True
    assert body["restricted_group"] == {"id": security.pk, "name": "Security", "tier": 2}
    client.force_login(desk.l2_agent)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert '<span class="tag restricted">Restricted</span>' in page
    assert "Seen only by Security and the people named on it." in page
    queue = client.get("/desk/", {"queue": "open"}).content.decode()
    assert '<span class="tag restricted">Restricted</span>' in queue

    desk.l2_agent.language = "ro"
    desk.l2_agent.save()
    client.force_login(desk.l2_agent)
    with translation.override("en"):  # the page activates Romanian; leave the thread as it was
        page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert '<span class="tag restricted">Restricționat</span>' in page


def test_the_admin_site_lists_no_restricted_ticket_to_an_unlisted_administrator(desk, client):
    security = SupportGroupFactory(name="Security", tier=2)
    officer = UserFactory(username="ofelia", role=Role.SECURITY_OFFICER)
    ticket = ticket_logged(requester=desk.requester, title="Keylogger found")
    services.ticket_restrict(ticket=ticket, actor=officer, group=security, reason="Breach")
    client.force_login(desk.admin)
    listing = client.get("/admin/tickets/ticket/")
    assert listing.status_code == 200
    assert ticket.number not in listing.content.decode()
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/", follow=True)
    assert "Keylogger found" not in page.content.decode()


@pytest.mark.parametrize("keep_requester", [False, True])
def test_notifications_of_a_restricted_ticket_reach_only_the_people_who_may_see_it(
    desk, keep_requester
):
    """Reply, SLA breach and webhook: nobody outside the group and the list hears of it."""
    WebhookEndpoint.objects.create(name="siem", url="https://siem.example.test/", topics=["*"])
    scene = _scene(desk, keep_requester=keep_requester)
    restricted = scene.restricted
    outsiders = {desk.l1_agent.email, desk.manager.email, desk.other_requester.email}
    SlaClock.objects.filter(ticket=restricted).update(
        breached_at=None, next_check_at=timezone.now(), due_at=timezone.now()
    )
    services.ticket_comment(
        ticket=restricted, actor=scene.people["security_member"], body="We are looking."
    )
    due_sweep()
    after = OutboxMessage.objects.about(restricted).filter(created_at__gte=restricted.updated_at)
    destinations = set(after.values_list("destination", flat=True))
    assert not destinations & outsiders
    assert not after.filter(channel="webhook").exists()
    assert (desk.requester.email in destinations) is keep_requester


def test_a_security_officer_restricts_and_lifts_it_through_the_api_and_the_console(
    desk, api_for, client
):
    officer = UserFactory(username="olga", role=Role.SECURITY_OFFICER, first_name="Olga")
    member = AgentFactory(username="sam.sec")
    security = SupportGroupFactory(name="Security", tier=2, members=[member])
    ticket = ticket_logged(requester=desk.requester, title="Laptop with payroll stolen")
    api = api_for(officer)
    detail = api.get(f"/api/tickets/{ticket.number}/").json()
    assert "restrict" in detail["actions"] and "unrestrict" not in detail["actions"]
    assert (
        "restrict"
        not in api_for(desk.l1_agent).get(f"/api/tickets/{ticket.number}/").json()["actions"]
    )

    response = api.post(
        f"/api/tickets/{ticket.number}/restrict/",
        {"group": security.pk, "people": [desk.l3_agent.pk], "reason": "Stolen personal data"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_restricted"] is True
    assert api_for(desk.l1_agent).get(f"/api/tickets/{ticket.number}/").status_code == 404
    assert api_for(desk.l3_agent).get(f"/api/tickets/{ticket.number}/").status_code == 200
    assert "unrestrict" in api.get(f"/api/tickets/{ticket.number}/").json()["actions"]

    client.force_login(officer)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Lift the restriction" in page
    done = client.post(
        f"/desk/tickets/{ticket.number}/do/unrestrict/", {"reason": "Laptop found, encrypted"}
    )
    assert done.status_code == 302
    assert api_for(desk.l1_agent).get(f"/api/tickets/{ticket.number}/").status_code == 200
