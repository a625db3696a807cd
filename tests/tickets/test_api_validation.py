"""Bad input gets a 4xx naming the field and the reason, and writes nothing."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets.api_steps import RESOLVE, act, error_of, log, ok, written

MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    # "new": logged by the requester; "started": L1 took it and set its category.
    state: str
    who: str
    send: callable  # (client, number, desk) -> response
    status: int
    field: str
    reason: str  # a fragment the reason given for `field` contains


def _post(path, body):
    return lambda c, n, d: c.post(path.format(n=n), body, format="json")


def _action(action, body):
    return lambda c, n, d: act(c, n, action, body)


def _diagnose(answers):
    def send(client, number, desk):
        yes_no = str(desk.questions[1].pk)
        return act(
            client,
            number,
            "diagnosis",
            {"answers": {k.replace("@yes_no", yes_no): v for k, v in answers.items()}},
        )

    return send


def _patch(body):
    def send(client, number, desk):
        etag = client.get(f"/api/tickets/{number}/")["ETag"]
        return client.patch(f"/api/tickets/{number}/", body, format="json", HTTP_IF_MATCH=etag)

    return send


def _raw_json(path, raw):
    return lambda c, n, d: c.generic("POST", path.format(n=n), raw, content_type="application/json")


def _list(query):
    return lambda c, n, d: c.get(f"/api/tickets/?{query}")


def _escalate_to(group_name, reason="Needs specialists"):
    return lambda c, n, d: act(
        c, n, "escalate", {"to_group": getattr(d, group_name).pk, "reason": reason}
    )


NO_NOTES = {k: v for k, v in RESOLVE.items() if k != "resolution_notes"}
NOT_RESTORED = {k: v for k, v in RESOLVE.items() if k != "service_restored"}

CASES = [
    Case("create: unknown category", "new", "requester",
         _post("/api/tickets/", {"title": "Mail", "category": 999999}), 400, "category",
         "does not exist"),
    Case("create: impact extreme", "new", "requester",
         _post("/api/tickets/", {"title": "Mail", "impact": "extreme"}), 400, "impact",
         '"extreme" is not a valid choice'),
    Case("create: no title", "new", "requester",
         _post("/api/tickets/", {"description": "no title"}), 400, "title", "required"),
    Case("create: blank title", "new", "requester",
         _post("/api/tickets/", {"title": "   "}), 400, "title", "blank"),
    Case("create: reported in the future", "new", "l1_agent",
         _post("/api/tickets/", {"title": "Mail", "reported_at": "2150-01-01T00:00:00Z"}),
         400, "reported_at", "future"),
    Case("create: malformed JSON", "new", "requester",
         _raw_json("/api/tickets/", '{"title": "Mail",'), 400, "body", "JSON parse error"),
    Case("edit: impact extreme", "started", "l1_agent",
         _patch({"impact": "extreme"}), 400, "impact", '"extreme" is not a valid choice'),
    Case("edit: unknown category", "started", "l1_agent",
         _patch({"category": 999999}), 400, "category", "does not exist"),
    Case("edit: nothing to change", "started", "l1_agent",
         _patch({"reason": "just because"}), 400, "non_field_errors", "at least one field"),
    Case("confirm a new ticket", "new", "requester",
         _action("confirm", {}), 409, "action", "'confirm' is not allowed while the ticket is New"),
    Case("resume a ticket not on hold", "started", "l1_agent",
         _action("resume", {}), 409, "action", "not allowed while the ticket is In progress"),
    Case("resolve without notes", "started", "l1_agent",
         _action("resolve", NO_NOTES), 400, "resolution_notes", "required"),
    Case("resolve with blank notes", "started", "l1_agent",
         _action("resolve", {**RESOLVE, "resolution_notes": "  "}), 400, "resolution_notes",
         "blank"),
    Case("resolve an incident without service_restored", "started", "l1_agent",
         _action("resolve", NOT_RESTORED), 400, "service_restored", "service is restored"),
    Case("resolve an incident with service not restored", "started", "l1_agent",
         _action("resolve", {**RESOLVE, "service_restored": False}), 400, "service_restored",
         "service is restored"),
    Case("resolve with an unknown code", "started", "l1_agent",
         _action("resolve", {**RESOLVE, "resolution_code": "magic"}), 400, "resolution_code",
         "not a valid choice"),
    Case("resolve: malformed JSON", "started", "l1_agent",
         _raw_json("/api/tickets/{n}/resolve/", "{resolution_code:"), 400, "body",
         "JSON parse error"),
    Case("escalate without a reason", "started", "l1_agent",
         _escalate_to("l2", reason=""), 400, "reason", "blank"),
    Case("escalate sideways", "started", "l1_agent",
         _escalate_to("l1"), 400, "to_group", "higher tier"),
    Case("escalate a P3 past L2", "started", "l1_agent",
         _escalate_to("l3"), 400, "to_group", "skip a tier"),
    Case("hold for an unknown reason", "started", "l1_agent",
         _action("hold", {"reason": "lunch"}), 400, "reason", "not a valid choice"),
    Case("diagnosis: not a question of the category", "started", "l1_agent",
         _diagnose({"999999": "x"}), 400, "answers.999999", "Not a question"),
    Case("diagnosis: yes/no answered maybe", "started", "l1_agent",
         _diagnose({"@yes_no": "maybe"}), 400, "answers.@yes_no", "'yes' or 'no'"),
    Case("diagnosis: keys are not ids", "started", "l1_agent",
         _diagnose({"since": "Monday"}), 400, "answers", "question ids"),
    Case("diagnosis: a key of digits int() cannot read", "started", "l1_agent",
         _diagnose({"²": "x"}), 400, "answers", "question ids"),
    Case("diagnosis: a key past 64 bits", "started", "l1_agent",
         _diagnose({"9" * 5000: "x"}), 400, "answers", "question ids"),
    Case("mark duplicate of a number with a NUL", "started", "l1_agent",
         _action("mark-duplicate", {"of": "INC\x00"}), 400, "of", "NUL"),
    Case("set parent to a number with a NUL", "started", "l1_agent",
         _action("set-parent", {"parent": "INC\x00"}), 400, "parent", "NUL"),
    Case("cancel as a duplicate of a number with a NUL", "started", "l1_agent",
         _action("cancel", {"reason": "duplicate", "duplicate_of": "I\x00"}), 400,
         "duplicate_of", "NUL"),
    Case("create under a parent number with a NUL", "new", "l1_agent",
         _post("/api/tickets/", {"title": "Mail", "parent": "INC\x00"}), 400, "parent", "NUL"),
    Case("create with a NUL in the title", "new", "requester",
         _post("/api/tickets/", {"title": "Mail\x00"}), 400, "title", "Null characters"),
    Case("a reply with a NUL", "new", "requester",
         _post("/api/tickets/{n}/comments/", {"body": "a\x00b"}), 400, "body", "Null characters"),
    Case("diagnosis: no answers", "started", "l1_agent",
         _diagnose({}), 400, "answers", "at least one"),
    Case("reopen without a reason", "new", "requester",
         _action("reopen", {}), 400, "reason", "required"),
    Case("cancel a duplicate of nothing", "started", "l1_agent",
         _action("cancel", {"reason": "duplicate"}), 400, "duplicate_of", "Name the ticket"),
    Case("empty comment", "new", "requester",
         _post("/api/tickets/{n}/comments/", {"body": "  "}), 400, "body",
         "Write a message or attach a file"),
    Case("list: unknown ordering", "new", "requester",
         _list("ordering=-title"), 400, "ordering", "'-title' is not sortable"),
    Case("list: bad cursor", "new", "requester",
         _list("cursor=not-a-cursor"), 400, "cursor", "Invalid cursor"),
    Case("list: bad status", "new", "requester",
         _list("status=open,pending"), 400, "status", "'pending' is not one of"),
    Case("list: bad priority", "new", "requester",
         _list("priority=0"), 400, "priority", "1 to 5"),
    Case("list: bad date", "new", "requester",
         _list("created_after=yesterday"), 400, "created_after", "ISO 8601"),
    Case("list: page size too big", "new", "requester",
         _list("page_size=5000"), 400, "page_size", "1 to 200"),
    Case("list: unknown kind", "new", "requester",
         _list("kind=problem"), 400, "kind", "incident, request"),
    Case("list: tier out of range", "new", "l1_agent",
         _list("tier=7"), 400, "tier", "from 1 to 3"),
    Case("list: id past 64 bits", "new", "l1_agent",
         _list(f"assignee={2**63}"), 400, "assignee", "whole number"),
    Case("list: empty filter", "new", "l1_agent",
         _list("updated_after="), 400, "updated_after", "Give a value"),
    Case("list: a date with no UTC form", "new", "l1_agent",
         _list("created_after=0001-01-01T00:00:00%2B14:00"), 400, "created_after", "1900"),
    Case("create: a float id", "new", "l1_agent",
         _post("/api/tickets/", {"title": "x", "category": 1.5}), 400, "category", "whole number"),
    Case("create: true as an id", "new", "l1_agent",
         _post("/api/tickets/", {"title": "x", "assignment_group": True}), 400,
         "assignment_group", "whole number"),
    Case("create: reported in year 1", "new", "l1_agent",
         _post("/api/tickets/", {"title": "x", "reported_at": "0001-01-01T00:00:00+14:00"}),
         400, "reported_at", "1900"),
    Case("create: reported in 1800", "new", "l1_agent",
         _post("/api/tickets/", {"title": "x", "reported_at": "1800-06-01T10:00:00Z"}),
         400, "reported_at", "1900"),
    Case("create: reported before the desk's earliest date", "new", "l1_agent",
         _post("/api/tickets/", {"title": "x", "reported_at": "1999-12-31T10:00:00Z"}),
         400, "reported_at", "2000-01-01"),
    Case("create: reported tomorrow", "new", "l1_agent",
         _post("/api/tickets/", {"title": "x", "reported_at": "2999-01-01T10:00:00Z"}),
         400, "reported_at", "2199"),
    Case("update: a float id", "started", "l1_agent",
         lambda c, n, d: c.patch(f"/api/tickets/{n}/", {"service": 2.0}, format="json",
                                 HTTP_IF_MATCH=c.get(f"/api/tickets/{n}/")["ETag"]),
         400, "service", "whole number"),
]  # fmt: skip


@pytest.fixture
def ticket_in(desk, api_for):
    def make(state: str) -> str:
        number = log(api_for(desk.requester))
        if state == "started":
            l1 = api_for(desk.l1_agent)
            started = act(l1, number, "start")
            ok(started)
            etag = started["ETag"]
            ok(
                l1.patch(
                    f"/api/tickets/{number}/",
                    {"category": desk.category.pk},
                    format="json",
                    HTTP_IF_MATCH=etag,
                )
            )
        return number

    return make


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    desk, api_for, ticket_in, case
):
    number = ticket_in(case.state)
    admin = api_for(desk.admin)
    ticket_before = ok(admin.get(f"/api/tickets/{number}/"))
    before = written()

    response = case.send(api_for(getattr(desk, case.who)), number, desk)

    field = case.field.replace("@yes_no", str(desk.questions[1].pk))
    reasons = error_of(response, case.status, field)
    assert any(case.reason in reason for reason in reasons), reasons
    assert written() == before
    ticket_after = ok(admin.get(f"/api/tickets/{number}/"))
    assert (ticket_after["status"], ticket_after["version"]) == (
        ticket_before["status"],
        ticket_before["version"],
    )


def test_a_comment_on_a_closed_ticket_is_a_conflict(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    ok(act(api_for(desk.l1_agent), number, "cancel", {"reason": "not_an_incident"}))
    before = written()
    response = ana.post(f"/api/tickets/{number}/comments/", {"body": "Hello?"}, format="json")
    assert "closed" in error_of(response, 409, "status")[0]
    assert written() == before


# -- oversized uploads ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sixty_mb() -> bytes:
    return b"\0" * (60 * MB)


@pytest.mark.parametrize(
    ("path", "field"), [("attachments", "file"), ("comments", "files")], ids=["attach", "comment"]
)
def test_a_60_mb_upload_is_refused_with_413(desk, api_for, sixty_mb, path, field):
    ana = api_for(desk.requester)
    number = log(ana)
    before = written()

    response = ana.post(
        f"/api/tickets/{number}/{path}/",
        {field: SimpleUploadedFile("dump.bin", sixty_mb), "body": "the dump"},
        format="multipart",
    )

    assert "25 MB" in error_of(response, 413, field)[0]  # the endpoint's own field
    assert response.json()["code"] == "too_large"
    assert written() == before


def test_a_file_just_over_the_limit_is_refused_naming_it(desk, api_for, settings):
    settings.SERVICEDESK_MAX_ATTACHMENT_BYTES = 1 * MB
    ana = api_for(desk.requester)
    number = log(ana)
    before = written()

    response = ana.post(
        f"/api/tickets/{number}/attachments/",
        {"file": SimpleUploadedFile("photo.jpg", b"x" * (MB + 1))},
        format="multipart",
    )

    assert "larger than the limit of 1 MB" in error_of(response, 413, "file")[0]
    assert written() == before


@pytest.mark.parametrize(
    "path", ["/api/tickets/{n}%00/", "/api/tickets/%00/timeline/", "/api/tickets/{n}%00/sla/"]
)
def test_a_ticket_number_with_a_nul_in_the_path_is_no_such_ticket(desk, api_for, path):
    agent = api_for(desk.l1_agent)
    number = log(agent)
    response = agent.get(path.format(n=number))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unreadable_content_length_is_no_length_not_a_server_error(desk, api_for):
    agent = api_for(desk.l1_agent)
    number = log(agent)
    response = agent.post(
        f"/api/tickets/{number}/comments/",
        {"body": "Still broken"},
        format="json",
        CONTENT_LENGTH="²",
    )
    # Read as no length, as Django reads it: an empty body, refused for what it lacks.
    assert response.status_code == 400, response.content
    assert "body" in response.json()["errors"]
