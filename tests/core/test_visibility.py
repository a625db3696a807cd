"""core/visibility.py: one declared rule per model, the same answer for lists and single rows."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

import servicedesk.core.visibility as visibility
from servicedesk.core.visibility import (
    VisibilityActionUnknown,
    VisibilityRuleMissing,
    is_visible,
    visible_ids,
)
from servicedesk.tickets import services
from servicedesk.tickets.models import SavedView, Ticket, TicketEvent
from tests.accounts.factories import SupportGroupFactory
from tests.tickets.factories import ticket_logged


def test_the_contract_names_no_app_of_the_project():
    tree = ast.parse(Path(visibility.__file__).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in getattr(node, "names", [])
    ]
    project = [name for name in imported if name and name.startswith("servicedesk")]
    assert project == [], project
    assert all(name.split(".")[0] in {"collections", "django"} for name in imported), imported


@pytest.fixture
def tickets(desk):
    security = SupportGroupFactory(name="Security", tier=2, members=[desk.l2_network_agent])
    anas = ticket_logged(requester=desk.requester, title="Printer jams")
    bogdans = ticket_logged(requester=desk.other_requester, title="VPN drops")
    hidden = ticket_logged(requester=desk.requester, title="Account taken over")
    services.ticket_restrict(
        ticket=hidden, actor=desk.admin, group=security, keep_requester=False, reason="Breach"
    )
    return [anas, bogdans, Ticket.objects.get(pk=hidden.pk)]


def test_one_ticket_and_the_list_always_agree(desk, tickets):
    people = [
        desk.requester,
        desk.other_requester,
        desk.l1_agent,
        desk.l2_network_agent,
        desk.admin,
        AnonymousUser(),
    ]
    for person in people:
        listed = set(Ticket.objects.visible_to(person).values_list("pk", flat=True))
        one_by_one = {t.pk for t in tickets if is_visible(t, person)}
        assert one_by_one == listed, person


def test_who_sees_which_ticket(desk, tickets):
    anas, bogdans, hidden = tickets

    def seen(person):
        return visible_ids(Ticket, person, [t.pk for t in tickets])

    assert seen(desk.requester) == {anas.pk}
    assert seen(desk.other_requester) == {bogdans.pk}
    assert seen(desk.l1_agent) == {anas.pk, bogdans.pk}
    assert seen(desk.l2_network_agent) == {anas.pk, bogdans.pk, hidden.pk}
    # The admin restricted it and so is listed on it.
    assert seen(desk.admin) == {anas.pk, bogdans.pk, hidden.pk}
    assert seen(AnonymousUser()) == set()
    desk.l1_agent.is_active = False
    assert seen(desk.l1_agent) == set()


def test_visible_ids_is_one_query_and_none_without_ids(desk, tickets, django_assert_num_queries):
    ids = [t.pk for t in tickets] + [None, 10_000]
    with django_assert_num_queries(2):  # the reader's groups, then the rule
        assert len(visible_ids(Ticket, desk.l1_agent, ids)) == 2
    with django_assert_num_queries(1):
        assert len(visible_ids(Ticket, desk.l1_agent, ids)) == 2
    with django_assert_num_queries(0):
        assert visible_ids(Ticket, desk.l1_agent, [None]) == set()


def test_timeline_rows_follow_their_ticket_and_stay_internal_for_requesters(desk, tickets):
    anas, _bogdans, hidden = tickets
    services.ticket_comment(ticket=anas, actor=desk.l1_agent, body="Checked", public=False)
    note = TicketEvent.objects.get(ticket=anas, type=TicketEvent.Type.NOTE)
    created = TicketEvent.objects.get(ticket=anas, type=TicketEvent.Type.CREATED)
    assert is_visible(created, desk.requester)
    assert not is_visible(note, desk.requester)
    assert is_visible(note, desk.l1_agent)
    assert not TicketEvent.objects.visible_to(desk.l1_agent).filter(ticket=hidden).exists()
    assert TicketEvent.objects.visible_to(desk.l2_network_agent).filter(ticket=hidden).exists()


def test_an_undeclared_action_or_model_is_an_error_not_a_guess(desk, tickets):
    with pytest.raises(VisibilityActionUnknown, match="'export'"):
        Ticket.objects.visible_to(desk.l1_agent, action="export")
    with pytest.raises(VisibilityActionUnknown):
        is_visible(tickets[0], desk.l1_agent, action="delete")
    view = SavedView.objects.create(
        user=desk.l1_agent, name="Mine", created_at=tickets[0].created_at
    )
    with pytest.raises(VisibilityRuleMissing):
        is_visible(view, desk.l1_agent)
