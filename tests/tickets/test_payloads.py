import json
import zoneinfo
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servicedesk.tickets import payloads, selectors, services
from servicedesk.tickets import serializers as s
from servicedesk.tickets.actions import action_names_available
from servicedesk.tickets.selectors import (
    ticket_children_numbers,
    ticket_get,
    tickets_visible,
)
from tests.accounts.factories import UserFactory
from tests.catalog.factories import CategoryFactory, ConfigurationItemFactory
from tests.tickets.factories import ticket_logged


@pytest.mark.parametrize("tz", [None, "UTC", "America/New_York"])
def test_the_list_rows_are_the_list_serializers_json(desk, tz):
    child = CategoryFactory(name="Outlook", parent=desk.category)
    ticket_logged(requester=desk.requester, category=child)
    ticket_logged(requester=desk.requester, category=desk.category)
    assigned = ticket_logged(requester=desk.other_requester)
    services.ticket_assign(ticket=assigned, actor=desk.l1_agent, assignee=desk.l1_agent)
    ticket_logged(requester=UserFactory(username="nameless", first_name="", last_name=""))
    if tz:
        timezone.activate(zoneinfo.ZoneInfo(tz))
    try:
        queryset = tickets_visible(user=desk.admin).order_by("id")
        expected = s.TicketListSerializer(list(queryset), many=True).data
        rows = payloads.ticket_list_data(queryset.values(*selectors.TICKET_LIST_COLUMNS))
    finally:
        timezone.deactivate()
    assert json.dumps(rows) == json.dumps(expected)
    assert rows[1]["category"]["path"] == "Email"
    assert rows[0]["category"]["path"] == "Email › Outlook"
    assert rows[3]["requester"]["name"] == "nameless"


@pytest.mark.parametrize("tz", [None, "UTC"])
def test_the_detail_data_is_the_detail_serializers_json(desk, tz):
    ci = ConfigurationItemFactory(name="mail01")
    parent = ticket_logged(requester=desk.requester, title="Mail down for everyone")
    child = ticket_logged(
        requester=desk.requester,
        actor=desk.l1_agent,
        category=desk.category,
        service=desk.service,
        configuration_item=ci,
        parent=parent,
    )
    services.ticket_assign(ticket=child, actor=desk.l1_agent, assignee=desk.l1_agent)
    resolved = ticket_logged(requester=desk.other_requester, title="Printer")
    services.ticket_assign(ticket=resolved, actor=desk.l1_agent, assignee=desk.l1_agent)
    services.ticket_start(
        ticket=ticket_get(user=desk.l1_agent, number=resolved.number), actor=desk.l1_agent
    )
    services.ticket_resolve(
        ticket=ticket_get(user=desk.l1_agent, number=resolved.number),
        actor=desk.l1_agent,
        resolution_code="solved_permanently",
        resolution_notes="Replaced the toner.",
        service_restored=True,
    )
    duplicate = ticket_logged(requester=desk.requester, title="Mail down")
    services.ticket_mark_duplicate(
        ticket=ticket_get(user=desk.l1_agent, number=duplicate.number),
        actor=desk.l1_agent,
        of=parent,
    )
    if tz:
        timezone.activate(zoneinfo.ZoneInfo(tz))
    try:
        for number in (parent.number, child.number, resolved.number, duplicate.number):
            for user in (desk.l1_agent, desk.requester):
                ticket = ticket_get(user=desk.admin, number=number)
                context = {"request": SimpleNamespace(user=user)}
                expected = s.TicketDetailSerializer(ticket, context=context).data
                data = payloads.ticket_detail_data(
                    ticket,
                    actions=action_names_available(ticket=ticket, user=user),
                    children=ticket_children_numbers(ticket=ticket, user=user),
                    viewer=user,
                )
                assert json.dumps(data) == json.dumps(expected)
    finally:
        timezone.deactivate()
