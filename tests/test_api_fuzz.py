"""Generated requests against every operation of the OpenAPI document, in process.

schemathesis reads /api/schema/ from the WSGI application and sends each operation a bounded
number of generated requests, valid and not, as desk staff with a token. Each answer must be no
server error, have a status the document lists for that operation, and a body and Content-Type
that match what it says. The requests run in the test's own transaction (the WSGI application is
called in this thread, on this connection), so whatever they write is rolled back.
"""

import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servicedesk.wsgi import application
from tests.tickets.api_steps import RESOLVE, act, ok

#: Per operation and phase, for 35 operations: the module takes one to two minutes on two cores.
MAX_EXAMPLES = 15


@dataclass(frozen=True)
class Targets:
    numbers: list[str]
    attachment: tuple[str, int]  # (ticket number, attachment id)

    def aim(self, case) -> None:
        """Point most generated paths at real objects, so that the action answers and not only
        the lookup; which one follows from the generated value, so a failure replays."""
        params = case.path_parameters
        if not params or "number" not in params:
            return
        pick = zlib.crc32(repr(sorted(params.items())).encode()) % (len(self.numbers) + 1)
        if pick == len(self.numbers):
            return  # left as generated: mostly no such ticket
        if "attachment_id" in params:
            params["number"], params["attachment_id"] = self.attachment
        else:
            params["number"] = self.numbers[pick]


@pytest.fixture
def targets(desk, api_for) -> Targets:
    """Tickets in several states the agent can act on, one with an attachment."""
    agent = api_for(desk.l1_agent)
    new = ok(agent.post("/api/tickets/", {"title": "VPN drops"}, format="json"), 201)["number"]
    started = ok(
        agent.post(
            "/api/tickets/",
            {"title": "Mail will not sync", "category": desk.category.pk},
            format="json",
        ),
        201,
    )["number"]
    ok(act(agent, started, "start"))
    resolved = ok(agent.post("/api/tickets/", {"title": "Printer"}, format="json"), 201)["number"]
    ok(act(agent, resolved, "start"))
    ok(act(agent, resolved, "resolve", RESOLVE))
    attachment = ok(
        agent.post(
            f"/api/tickets/{started}/attachments/",
            {"file": SimpleUploadedFile("note.txt", b"a file", "text/plain")},
            format="multipart",
        ),
        201,
    )
    return Targets(numbers=[new, started, resolved], attachment=(started, attachment["id"]))


@pytest.fixture
def agent_token(desk) -> str:
    return Token.objects.get_or_create(user=desk.l1_agent)[0].key


@pytest.fixture
def wsgi_calls(targets, agent_token):
    """Django's test client keeps the connection open across its requests by disconnecting
    close_old_connections for each (and connecting it again after); a bare WSGI call would
    close it, and with it the test's transaction. This does the same for the whole test, once
    the fixtures have made their requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


#: What each answer must hold to. Not schemathesis's checks that a schema-valid request is
#: accepted or an invalid one refused: the desk's rules (a period of at most a year, a
#: resolution code of the ticket's kind, a transition allowed from the status) refuse
#: schema-valid bodies, and DRF reads a form's `0` as a string, as the document cannot say.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded when the module is collected: serving the document reads no table.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_documented(case, targets, agent_token, wsgi_calls):
    targets.aim(case)
    case.call_and_validate(headers={"Authorization": f"Token {agent_token}"}, checks=CHECKS)
