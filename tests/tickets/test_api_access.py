"""Who sees what and who may do what, walked as tables of role × endpoint × action."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tickets import actions
from tests.tickets.api_steps import (
    RESOLVE,
    act,
    error_of,
    escalated_to_l2,
    log,
    ok,
    resolved,
    written,
)


def _upload(name="screenshot.png", content=b"\x89PNG fake image"):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def anas_ticket(desk, api_for):
    """Ana's ticket with a public reply carrying a file, so every endpoint has something to show."""
    ana = api_for(desk.requester)
    number = log(ana, "VPN drops every hour")
    event = ok(
        ana.post(
            f"/api/tickets/{number}/comments/",
            {"body": "Log attached", "files": [_upload()]},
            format="multipart",
        ),
        201,
    )
    return number, event["attachments"][0]["id"]


def _endpoints(number: str, attachment_id: int) -> list[tuple[str, str, dict]]:
    base = f"/api/tickets/{number}/"
    return [
        ("get", base, {}),
        ("patch", base, {"data": {"title": "Mine now"}, "format": "json"}),
        ("get", f"{base}comments/", {}),
        ("post", f"{base}comments/", {"data": {"body": "Hello"}, "format": "json"}),
        ("get", f"{base}attachments/", {}),
        ("post", f"{base}attachments/", {"data": {"file": _upload()}, "format": "multipart"}),
        ("get", f"{base}attachments/{attachment_id}/download/", {}),
        ("get", f"{base}timeline/", {}),
        ("get", f"{base}tiers/", {}),
    ]


ENDPOINT_NAMES = [
    "detail GET",
    "detail PATCH",
    "comments GET",
    "comments POST",
    "attachments GET",
    "attachments POST",
    "attachment download",
    "timeline",
    "tiers",
]


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_another_requesters_ticket_is_not_found_on_every_endpoint(
    desk, api_for, anas_ticket, index
):
    number, attachment_id = anas_ticket
    etag = api_for(desk.requester).get(f"/api/tickets/{number}/")["ETag"]
    before = written()
    method, path, kwargs = _endpoints(number, attachment_id)[index]
    bogdan = api_for(desk.other_requester)

    response = getattr(bogdan, method)(path, HTTP_IF_MATCH=etag, **kwargs)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}
    assert "VPN" not in response.content.decode()
    assert written() == before
    # The same answer as for a number that does not exist: the ticket's existence is not told.
    _method, missing_path, missing_kwargs = _endpoints("INC9999999", attachment_id)[index]
    missing = getattr(bogdan, method)(missing_path, HTTP_IF_MATCH=etag, **missing_kwargs)
    assert (missing.status_code, missing.json()) == (404, response.json())


@pytest.mark.parametrize("action", sorted(s.name for s in actions.actions_all() if s.endpoint))
def test_another_requesters_ticket_is_not_found_on_every_action(desk, api_for, anas_ticket, action):
    number, _attachment_id = anas_ticket
    ana = api_for(desk.requester)
    version = ok(ana.get(f"/api/tickets/{number}/"))["version"]
    before = written()
    # A body that would be valid for a requester, so nothing but visibility can refuse it.
    body = {"reason": "withdrawn"} if action == "cancel" else {"reason": "Not fixed"}

    response = act(api_for(desk.other_requester), number, action, body)

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert written() == before
    assert ok(ana.get(f"/api/tickets/{number}/"))["version"] == version


def test_a_requester_lists_and_finds_only_their_own_tickets(desk, api_for):
    ana, bogdan = api_for(desk.requester), api_for(desk.other_requester)
    mine = {log(ana, "Printer jam"), log(ana, "Monitor flickers")}
    theirs = log(bogdan, "Keyboard missing keys")

    listed = ok(ana.get("/api/tickets/"))["results"]
    assert {t["number"] for t in listed} == mine
    assert ok(ana.get(f"/api/tickets/?requester={desk.other_requester.pk}"))["results"] == []
    assert ok(ana.get(f"/api/tickets/?q={theirs}"))["results"] == []
    assert {t["number"] for t in ok(bogdan.get("/api/tickets/"))["results"]} == {theirs}
    # The desk sees both.
    agent_sees = {t["number"] for t in ok(api_for(desk.l1_agent).get("/api/tickets/"))["results"]}
    assert agent_sees == mine | {theirs}


def test_an_anonymous_caller_is_asked_to_authenticate(desk, client):
    response = client.get("/api/tickets/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_requester_cannot_hang_their_ticket_under_another_or_pick_the_group(desk, api_for):
    theirs = log(api_for(desk.other_requester), "Network down")
    ana = api_for(desk.requester)
    before = written()

    linked = ana.post(
        "/api/tickets/", {"title": "Network down too", "parent": theirs}, format="json"
    )
    assert "desk staff" in error_of(linked, 400, "parent")[0]
    routed = ana.post(
        "/api/tickets/", {"title": "Straight to L3", "assignment_group": desk.l3.pk}, format="json"
    )
    assert "desk staff" in error_of(routed, 400, "assignment_group")[0]
    assert written() == before

    # Desk staff may do both when logging for someone.
    by_agent = ok(
        api_for(desk.l1_agent).post(
            "/api/tickets/",
            {
                "title": "Network down too",
                "requester": desk.requester.pk,
                "parent": theirs,
                "assignment_group": desk.l2_network.pk,
            },
            format="json",
        ),
        201,
    )
    assert (by_agent["parent"], by_agent["assignment_group"]["name"]) == (theirs, "Network")


# -- internal notes ---------------------------------------------------------------------------


@pytest.fixture
def ticket_with_note(desk, api_for):
    """Ana's ticket where L1 wrote an internal note with a file and attached another file to it."""
    number = log(api_for(desk.requester), "Laptop overheats")
    l1 = api_for(desk.l1_agent)
    ok(l1.post(f"/api/tickets/{number}/comments/", {"body": "Public hello"}, format="json"), 201)
    note = ok(
        l1.post(
            f"/api/tickets/{number}/comments/",
            {
                "body": "Suspect the fan; warranty ends soon",
                "public": "false",
                "files": [_upload()],
            },
            format="multipart",
        ),
        201,
    )
    private_file = ok(
        l1.post(
            f"/api/tickets/{number}/attachments/",
            {"file": _upload("serial.txt", b"SN-123"), "public": "false"},
            format="multipart",
        ),
        201,
    )
    assert note["type"] == "note" and not note["is_public"] and not private_file["is_public"]
    return number, [note["attachments"][0]["id"], private_file["id"]]


def test_a_requester_never_sees_internal_notes_or_their_files(desk, api_for, ticket_with_note):
    number, note_files = ticket_with_note
    ana, l1 = api_for(desk.requester), api_for(desk.l1_agent)

    timeline = ok(ana.get(f"/api/tickets/{number}/timeline/"))
    assert "note" not in {e["type"] for e in timeline}
    assert "warranty" not in str(timeline)
    comments = ok(ana.get(f"/api/tickets/{number}/comments/"))
    assert [c["body"] for c in comments] == ["Public hello"]
    assert ok(ana.get(f"/api/tickets/{number}/attachments/")) == []
    for attachment_id in note_files:
        response = ana.get(f"/api/tickets/{number}/attachments/{attachment_id}/download/")
        assert response.status_code == 404

    # The desk sees all of it.
    assert "note" in {e["type"] for e in ok(l1.get(f"/api/tickets/{number}/timeline/"))}
    assert len(ok(l1.get(f"/api/tickets/{number}/attachments/"))) == 2
    for attachment_id in note_files:
        download = l1.get(f"/api/tickets/{number}/attachments/{attachment_id}/download/")
        assert download.status_code == 200
        assert download.getvalue()


# -- role × action ----------------------------------------------------------------------------

HOLD = {"reason": "awaiting_vendor"}


def _to(group: str) -> dict:
    return {"to_group": f"@{group}", "reason": "Needs specialists"}


# (who, where the ticket is, action, body, expected status). "@name" in a body is desk.name.pk.
ROLE_ACTIONS = [
    # An agent works only tickets that sit with a group of theirs.
    ("l2_network_agent", "at_l1", "start", {}, 403),
    ("l2_network_agent", "at_l1", "resolve", RESOLVE, 403),
    ("l2_network_agent", "at_l1", "hold", HOLD, 403),
    ("l2_network_agent", "at_l1", "escalate", _to("l2_network"), 403),
    ("l2_network_agent", "at_l1", "assign", {"assignee": "@l2_network_agent"}, 403),
    ("l2_network_agent", "at_l1", "cancel", {"reason": "not_an_incident"}, 403),
    ("l2_network_agent", "at_l2", "start", {}, 403),
    ("l1_agent", "at_l2", "start", {}, 403),
    ("l1_agent", "at_l2", "resolve", RESOLVE, 403),
    ("l1_agent", "at_l1", "start", {}, 200),
    ("l1_agent", "at_l1", "resolve", RESOLVE, 200),
    ("l1_agent", "at_l1", "escalate", _to("l2"), 200),
    ("l2_agent", "at_l2", "start", {}, 200),
    ("l2_agent", "at_l2", "resolve", RESOLVE, 200),
    ("manager", "at_l2", "resolve", RESOLVE, 200),
    # A requester only speaks for themselves: confirm, reopen, withdraw.
    ("requester", "at_l1", "start", {}, 403),
    ("requester", "at_l1", "assign", {"assignee": "@l1_agent"}, 403),
    ("requester", "at_l1", "hold", HOLD, 403),
    ("requester", "at_l1", "escalate", _to("l2"), 403),
    ("requester", "at_l1", "escalate-to-manager", {"reason": "Too slow"}, 403),
    ("requester", "at_l1", "resolve", RESOLVE, 403),
    ("requester", "at_l1", "reclassify", {"kind": "request", "reason": "It is a request"}, 403),
    ("requester", "at_l1", "diagnosis", {"answers": {"@question": "yesterday"}}, 403),
    ("requester", "at_l1", "set-parent", {"parent": None}, 403),
    ("requester", "resolved", "close", {}, 403),
    ("requester", "resolved", "confirm", {}, 200),
    ("requester", "resolved", "reopen", {"reason": "It crashed again"}, 200),
    ("requester", "at_l1", "cancel", {"reason": "withdrawn"}, 200),
    ("requester", "at_l2", "cancel", {"reason": "withdrawn", "note": "Fixed itself"}, 200),
    ("requester", "at_l1", "cancel", {"reason": "not_an_incident"}, 403),
    # Nobody at the desk confirms for the requester; an administrator may.
    ("l1_agent", "resolved", "confirm", {}, 403),
    ("manager", "resolved", "confirm", {}, 403),
    ("l1_agent", "resolved", "close", {}, 200),
    ("l1_agent", "resolved", "reopen", {"reason": "Caller phoned: still broken"}, 200),
    ("admin", "resolved", "confirm", {}, 200),
]

EXPECTED_STATUS = {
    "start": "in_progress",
    "resolve": "resolved",
    "escalate": "new",
    "confirm": "closed",
    "close": "closed",
    "reopen": "in_progress",
    "cancel": "cancelled",
}


def _resolve_refs(desk, body):
    if isinstance(body, dict):
        return {_resolve_refs(desk, k): _resolve_refs(desk, v) for k, v in body.items()}
    if isinstance(body, str) and body.startswith("@"):
        if body == "@question":
            return str(desk.questions[0].pk)
        return getattr(desk, body[1:]).pk
    return body


@pytest.mark.parametrize(
    ("who", "where", "action", "body", "expected"),
    ROLE_ACTIONS,
    ids=[f"{w}-{a}-{where}-{e}" for w, where, a, _b, e in ROLE_ACTIONS],
)
def test_role_action_table(desk, api_for, who, where, action, body, expected):
    if where == "at_l1":
        number = log(api_for(desk.requester))
    elif where == "at_l2":
        number = escalated_to_l2(desk, api_for)
    else:
        number = resolved(desk, api_for)
    admin = api_for(desk.admin)
    before = ok(admin.get(f"/api/tickets/{number}/"))
    events_before = len(ok(admin.get(f"/api/tickets/{number}/timeline/")))

    response = act(api_for(getattr(desk, who)), number, action, _resolve_refs(desk, body))

    assert response.status_code == expected, response.json()
    after = ok(admin.get(f"/api/tickets/{number}/"))
    if expected == 200:
        assert after["status"] == EXPECTED_STATUS[action]
        assert after["version"] > before["version"]
    else:
        assert response.json()["code"] in {"permission_denied", "invalid"}
        assert (after["status"], after["version"]) == (before["status"], before["version"])
        assert len(ok(admin.get(f"/api/tickets/{number}/timeline/"))) == events_before


def test_the_offered_actions_follow_the_role(desk, api_for):
    number = resolved(desk, api_for)
    offered = {
        who: ok(api_for(getattr(desk, who)).get(f"/api/tickets/{number}/"))["actions"]
        for who in ("requester", "l1_agent", "l2_network_agent", "admin")
    }
    assert offered == {
        "requester": ["confirm", "reopen"],
        "l1_agent": ["reopen", "close"],
        "l2_network_agent": [],
        "admin": ["confirm", "reopen", "close"],
    }


def test_a_requester_may_reply_but_not_edit_or_write_internal_notes(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    response = ana.get(f"/api/tickets/{number}/")
    before = written()

    edit = ana.patch(
        f"/api/tickets/{number}/",
        {"impact": "high"},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert (edit.status_code, edit.json()["code"]) == (403, "permission_denied")
    note = ana.post(
        f"/api/tickets/{number}/comments/", {"body": "psst", "public": False}, format="json"
    )
    assert (note.status_code, note.json()["code"]) == (403, "permission_denied")
    private_file = ana.post(
        f"/api/tickets/{number}/attachments/",
        {"file": _upload(), "public": "false"},
        format="multipart",
    )
    assert private_file.status_code == 403
    assert written() == before

    reply = ana.post(f"/api/tickets/{number}/comments/", {"body": "Any news?"}, format="json")
    assert ok(reply, 201)["is_public"] is True


def test_a_requester_may_reopen_only_within_the_window_the_desk_any_time(desk, api_for):
    number = resolved(desk, api_for)
    later = datetime.now(UTC) + timedelta(days=8)
    with time_machine.travel(later, tick=False):
        before = written()
        late = act(api_for(desk.requester), number, "reopen", {"reason": "Broken again"})
        assert "has passed" in error_of(late, 400, "status")[0]
        assert written() == before
        reopened = ok(act(api_for(desk.l1_agent), number, "reopen", {"reason": "Caller phoned"}))
    assert (reopened["status"], reopened["reopen_count"]) == ("in_progress", 1)


def test_a_requester_never_learns_the_numbers_of_other_peoples_linked_tickets(desk, api_for):
    from servicedesk.tickets import services

    parent = services.ticket_log(actor=desk.requester, title="Mail is down")
    child = services.ticket_log(actor=desk.other_requester, title="No email either")
    services.ticket_set_parent(ticket=child, actor=desk.l1_agent, parent=parent)

    assert api_for(desk.requester).get(f"/api/tickets/{parent.number}/").json()["children"] == []
    assert (
        api_for(desk.other_requester).get(f"/api/tickets/{child.number}/").json()["parent"] is None
    )
    staff_view = api_for(desk.l1_agent).get(f"/api/tickets/{parent.number}/").json()
    assert staff_view["children"] == [child.number]
