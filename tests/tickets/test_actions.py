"""The action registry: one declaration per action, and the API, the console and the schema
derived from it."""

import importlib
import re

import pytest
from django.urls import clear_url_caches, get_resolver, reverse
from django.utils import timezone
from rest_framework import serializers

from servicedesk import urls as root_urls
from servicedesk.tickets import actions, events, inputs, services, urls_api
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.permissions import ACTION_POLICIES, works_on
from tests.catalog.factories import CategoryFactory
from tests.tickets.api_steps import RESOLVE, act, error_of, escalated_to_l2, log, ok, written
from tests.tickets.factories import ticket_logged

# ---------------------------------------------------------------------------------------------
# A new action, registered by a test and nothing else


class FlagInput(inputs.ActionInput):
    reason = serializers.CharField(
        label="Why flag it", help_text="Seen by the desk only.", style=inputs.TEXTAREA
    )


def ticket_flag(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """A trivial service: an internal note on the timeline."""
    events.event_comment(ticket, actor, timezone.now(), body=f"Flagged: {reason}", public=False)
    return ticket


FLAG = actions.ActionSpec(
    name="flag",
    label="Flag for review",
    summary="Flag the ticket for a review by the desk.",
    input=FlagInput,
    service=ticket_flag,
    transition=None,
    permission=works_on,
)


def _reload_urls() -> None:
    """The API's URLs are built from the registry when they load."""
    clear_url_caches()
    importlib.reload(urls_api)
    importlib.reload(root_urls)
    clear_url_caches()


@pytest.fixture
def flag_action():
    actions.action_register(FLAG)
    _reload_urls()
    yield FLAG
    actions.action_unregister(FLAG.name)
    _reload_urls()


def _console_names(client, number: str) -> list[str]:
    """The actions the ticket page offers, in the order of its buttons."""
    page = client.get(f"/desk/tickets/{number}/").content.decode()
    names = re.findall(rf"/desk/tickets/{number}/do/([a-z-]+)/", page)
    return list(dict.fromkeys(names))


def _schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_a_registered_action_appears_in_the_api_the_console_and_the_schema(
    flag_action, desk, api_for, client
):
    number = log(api_for(desk.requester), "Printer on fire")
    l1 = api_for(desk.l1_agent)

    # The API: in the detail's actions, and its endpoint answers.
    assert "flag" in ok(l1.get(f"/api/tickets/{number}/"))["actions"]
    flagged = ok(act(l1, number, "flag", {"reason": "Smells of smoke"}))
    assert "flag" in flagged["actions"]
    error_of(act(l1, number, "flag", {}), 400, "reason")
    # Not for a requester, who may see the ticket: 403, before the input is read.
    refused = act(api_for(desk.requester), number, "flag", {})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")

    # The console: its button, its generated form, and its POST.
    client.force_login(desk.l1_agent)
    assert "flag" in _console_names(client, number)
    assert ">Flag for review<" in client.get(f"/desk/tickets/{number}/").content.decode()
    form = client.get(f"/desk/tickets/{number}/do/flag/", HTTP_HX_REQUEST="true")
    body = form.content.decode()
    assert "<textarea" in body and 'name="reason"' in body
    assert "Why flag it" in body and "Seen by the desk only." in body
    empty = client.post(f"/desk/tickets/{number}/do/flag/", {"reason": ""})
    assert empty.status_code == 400 and empty.context["action_form"].errors["reason"]
    done = client.post(f"/desk/tickets/{number}/do/flag/", {"reason": "Still smoking"})
    assert done.status_code == 302
    notes = Ticket.objects.get(number=number).events.filter(type="note")
    assert sorted(notes.values_list("body", flat=True)) == [
        "Flagged: Smells of smoke",
        "Flagged: Still smoking",
    ]

    # The schema: its operation, with its input as the request body.
    operation = _schema(client)["paths"]["/api/tickets/{number}/flag/"]["post"]
    assert operation["operationId"] == "tickets_flag"
    assert operation["summary"] == FLAG.summary
    assert operation["tags"] == ["ticket actions"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = _schema(client)["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["required"] == ["reason"]


def test_the_registered_action_is_gone_when_unregistered(desk, api_for):
    number = log(api_for(desk.requester))
    assert "flag" not in ok(api_for(desk.l1_agent).get(f"/api/tickets/{number}/"))["actions"]
    assert act(api_for(desk.l1_agent), number, "flag", {"reason": "x"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# One set of names


NAMES = [
    "assign",
    "start",
    "hold",
    "resume",
    "escalate",
    "de-escalate",
    "escalate-to-manager",
    "resolve",
    "confirm",
    "reopen",
    "close",
    "cancel",
    "reclassify",
    "mark-duplicate",
    "set-parent",
    "diagnosis",
    "rate",
    "restrict",
    "unrestrict",
]


def test_every_registry_name_is_an_endpoint_and_every_endpoint_a_registry_name(client, db):
    endpoints = [spec.name for spec in actions.actions_all() if spec.endpoint]
    assert endpoints == NAMES
    assert [spec.name for spec in actions.actions_all() if not spec.endpoint] == ["edit"]
    assert set(ACTION_POLICIES) == {spec.name for spec in actions.actions_all()}

    routed = {
        p.name.removeprefix("api-ticket-")
        for p in get_resolver("servicedesk.tickets.urls_api").url_patterns
        if p.name and p.name.startswith("api-ticket-")
    }
    assert routed == set(NAMES)
    for name in NAMES:
        assert reverse(f"api-ticket-{name}", args=["INC1"]) == f"/api/tickets/INC1/{name}/"

    paths = _schema(client)["paths"]
    documented = {
        path.split("/")[-2]
        for path, item in paths.items()
        if "post" in item and item["post"].get("tags") == ["ticket actions"]
    }
    assert documented == set(NAMES)
    for name in NAMES:
        assert paths[f"/api/tickets/{{number}}/{name}/"]["post"]["operationId"] == (
            f"tickets_{name.replace('-', '_')}"
        )


STAFF = ["l1_agent", "l2_agent", "l2_network_agent", "l3_agent", "manager", "admin"]


@pytest.fixture
def tickets_in_every_state(desk, api_for):
    """New at L1 (with a category), in progress at L2, on hold at L1, resolved."""
    requester, l1 = api_for(desk.requester), api_for(desk.l1_agent)
    new = log(requester, "New one", category=desk.category.pk)
    at_l2 = escalated_to_l2(desk, api_for)
    on_hold = log(requester, "Waiting")
    ok(act(l1, on_hold, "start"))
    ok(act(l1, on_hold, "hold", {"reason": "awaiting_vendor"}))
    resolved = log(requester, "Done")
    ok(act(l1, resolved, "start"))
    ok(act(l1, resolved, "resolve", RESOLVE))
    return [new, at_l2, on_hold, resolved]


@pytest.mark.parametrize("who", STAFF)
def test_the_details_actions_are_the_consoles_buttons(
    desk, api_for, client, tickets_in_every_state, who
):
    person = getattr(desk, who)
    client.force_login(person)
    for number in tickets_in_every_state:
        api_actions = ok(api_for(person).get(f"/api/tickets/{number}/"))["actions"]
        console = [name for name in _console_names(client, number) if name != "edit"]
        assert api_actions == console, (who, number)


def test_the_portal_offers_what_the_registry_offers(desk, api_for, client, tickets_in_every_state):
    new, _at_l2, _on_hold, resolved = tickets_in_every_state
    client.force_login(desk.requester)
    resolved_page = client.get(f"/tickets/{resolved}/").content.decode()
    assert f"/tickets/{resolved}/confirm/" in resolved_page
    assert f"/tickets/{resolved}/reopen/" in resolved_page
    assert ok(api_for(desk.requester).get(f"/api/tickets/{new}/"))["actions"] == ["cancel"]
    assert f"/tickets/{new}/withdraw/" in client.get(f"/tickets/{new}/").content.decode()


# ---------------------------------------------------------------------------------------------
# 404, then 403, then 400, then the service


def test_a_person_who_may_not_act_gets_403_before_their_input_is_read(desk, api_for, client):
    number = log(api_for(desk.requester))
    before = written()
    for who, action, body in [
        ("requester", "mark-duplicate", {}),
        ("requester", "mark-duplicate", {"of": "nonsense"}),
        ("requester", "escalate", {"to_group": "x"}),
        ("l2_network_agent", "escalate", {}),
        ("l2_network_agent", "resolve", {"resolution_code": "nope"}),
    ]:
        response = act(api_for(getattr(desk, who)), number, action, body)
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), (
            who,
            action,
        )
    # Someone else's ticket is not found, whatever the action and the body.
    hidden = act(api_for(desk.other_requester), number, "mark-duplicate", {})
    assert hidden.status_code == 404
    # The console answers the same.
    client.force_login(desk.l2_network_agent)
    assert client.post(f"/desk/tickets/{number}/do/escalate/", {}).status_code == 403
    assert client.get(f"/desk/tickets/{number}/do/escalate/").status_code == 403
    assert client.post(f"/desk/tickets/{number}/do/no-such-action/", {}).status_code == 404
    assert written() == before


def test_a_requester_cancelling_for_another_reason_than_withdrawn_is_refused_403(desk, api_for):
    number = log(api_for(desk.requester))
    before = written()
    response = act(api_for(desk.requester), number, "cancel", {"reason": "not_an_incident"})
    assert "only withdraw" in error_of(response, 403, "reason")[0]
    assert written() == before
    # Bad input from someone who may cancel is still a 400 naming the field.
    bad = act(api_for(desk.l1_agent), number, "cancel", {"reason": "bored"})
    error_of(bad, 400, "reason")


def test_a_ticket_number_in_an_input_must_be_visible_to_the_person(desk):
    theirs = ticket_logged(requester=desk.other_requester, title="Not Ana's")
    mine = ticket_logged(requester=desk.requester, title="Ana's")
    for user, expected in [(desk.requester, False), (desk.l1_agent, True)]:
        given = inputs.MarkDuplicateInput(
            data={"of": theirs.number.lower()}, context={"user": user}
        )
        assert given.is_valid() == expected
        if not expected:
            assert given.errors["of"] == [f"There is no ticket {theirs.number}."]
    own = inputs.MarkDuplicateInput(data={"of": mine.number}, context={"user": desk.requester})
    assert own.is_valid() and own.validated_data["of"] == mine


# ---------------------------------------------------------------------------------------------
# What cannot succeed now is not offered


def _offered(api_for, person, number) -> list[str]:
    return ok(api_for(person).get(f"/api/tickets/{number}/"))["actions"]


def test_escalation_is_offered_only_where_a_tier_to_go_to_exists(desk, api_for):
    at_l1 = log(api_for(desk.requester))
    at_l2 = escalated_to_l2(desk, api_for)
    assert "escalate" in _offered(api_for, desk.l1_agent, at_l1)
    assert "de-escalate" not in _offered(api_for, desk.l1_agent, at_l1)
    assert {"escalate", "de-escalate"} <= set(_offered(api_for, desk.l2_agent, at_l2))

    l3 = api_for(desk.l3_agent)
    ok(act(api_for(desk.l2_agent), at_l2, "escalate", {"to_group": desk.l3.pk, "reason": "Bug"}))
    assert "escalate" not in _offered(api_for, desk.l3_agent, at_l2)
    assert "de-escalate" in _offered(api_for, desk.l3_agent, at_l2)
    ok(act(l3, at_l2, "de-escalate", {"to_group": desk.l2.pk, "reason": "Fix known"}))

    # No active group above or below: nothing to escalate or de-escalate to.
    for group in (desk.l1, desk.l3):
        group.is_active = False
        group.save()
    assert not {"escalate", "de-escalate"} & set(_offered(api_for, desk.l2_agent, at_l2))


def test_escalation_to_the_manager_needs_a_manager(desk, api_for):
    at_l1 = log(api_for(desk.requester))
    assert "escalate-to-manager" in _offered(api_for, desk.l1_agent, at_l1)
    at_network = log(api_for(desk.requester))
    l1 = api_for(desk.l1_agent)
    ok(act(l1, at_network, "escalate", {"to_group": desk.l2_network.pk, "reason": "Network"}))
    assert desk.l2_network.manager_id is None
    assert "escalate-to-manager" not in _offered(api_for, desk.l2_network_agent, at_network)


def test_diagnosis_is_offered_only_when_the_category_has_questions(desk, api_for):
    requester = api_for(desk.requester)
    with_questions = log(requester, category=desk.category.pk)
    without_category = log(requester)
    without_questions = log(requester, category=CategoryFactory(name="Printers").pk)
    assert "diagnosis" in _offered(api_for, desk.l1_agent, with_questions)
    assert "diagnosis" not in _offered(api_for, desk.l1_agent, without_category)
    assert "diagnosis" not in _offered(api_for, desk.l1_agent, without_questions)


def test_confirm_is_the_requesters_and_in_the_console_only_an_administrators(
    desk, api_for, client, tickets_in_every_state
):
    resolved = tickets_in_every_state[-1]
    assert "confirm" in _offered(api_for, desk.requester, resolved)
    for who, expected in [("l1_agent", False), ("manager", False), ("admin", True)]:
        client.force_login(getattr(desk, who))
        assert ("confirm" in _console_names(client, resolved)) == expected, who


def test_a_finished_ticket_offers_no_edit_link_or_escalation(desk, api_for, client):
    number = log(api_for(desk.requester))
    ok(act(api_for(desk.l1_agent), number, "cancel", {"reason": "not_an_incident"}))
    assert _offered(api_for, desk.l1_agent, number) == []
    client.force_login(desk.l1_agent)
    assert _console_names(client, number) == []


# ---------------------------------------------------------------------------------------------
# Resolution codes per kind


def test_each_kind_is_resolved_with_its_own_codes(desk, api_for):
    l1 = api_for(desk.l1_agent)
    incident = log(api_for(desk.requester), "Mail down")
    request = log(api_for(desk.requester), "A new laptop", kind="request")
    for number in (incident, request):
        ok(act(l1, number, "start"))
    before = written()

    wrong = act(l1, request, "resolve", {**RESOLVE, "resolution_code": "solved_permanently"})
    assert error_of(wrong, 400, "resolution_code") == [
        "Must be one of: fulfilled, fulfilled_alternative, not_approved."
    ]
    wrong = act(l1, incident, "resolve", {**RESOLVE, "resolution_code": "fulfilled"})
    assert "solved_permanently" in error_of(wrong, 400, "resolution_code")[0]
    assert written() == before

    done = ok(
        act(l1, request, "resolve", {"resolution_code": "fulfilled", "resolution_notes": "Sent"})
    )
    assert (done["status"], done["resolution_code"]) == ("resolved", "fulfilled")
    assert ok(act(l1, incident, "resolve", RESOLVE))["status"] == "resolved"


def test_the_console_offers_only_the_codes_of_the_tickets_kind(desk, client):
    incident = ticket_logged(requester=desk.requester, title="Mail down")
    request = ticket_logged(requester=desk.requester, title="New laptop", kind="request")
    client.force_login(desk.l1_agent)

    def codes(ticket) -> set[str]:
        form = client.get(f"/desk/tickets/{ticket.number}/do/resolve/", HTTP_HX_REQUEST="true")
        return set(re.findall(r'<option value="([a-z_]+)"', form.content.decode()))

    assert codes(request) == {"fulfilled", "fulfilled_alternative", "not_approved"}
    assert codes(incident) == {
        "solved_permanently",
        "solved_workaround",
        "solved_remotely",
        "no_fault_found",
        "user_error",
        "vendor_fix",
    }
    services.ticket_start(ticket=request, actor=desk.l1_agent)
    refused = client.post(
        f"/desk/tickets/{request.number}/do/resolve/",
        {"resolution_code": "vendor_fix", "resolution_notes": "Done"},
    )
    assert refused.status_code == 400
    assert refused.context["action_form"].errors["resolution_code"]
