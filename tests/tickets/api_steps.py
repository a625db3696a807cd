"""Steps the API tests share: log a ticket, move it along, and count what a request wrote."""

from django.apps import apps

RESOLVE = {
    "resolution_code": "solved_permanently",
    "resolution_notes": "Mail profile rebuilt.",
    "service_restored": True,
}


def ok(response, status: int = 200):
    """The response's JSON, after checking its status (the body is shown when it differs)."""
    body = response.json() if response.get("Content-Type", "").startswith("application/") else None
    assert response.status_code == status, (response.status_code, body or response.content[:500])
    return body


def log(client, title: str = "Outlook will not start", **fields) -> str:
    """Log a ticket through the API; returns its number."""
    return ok(client.post("/api/tickets/", {"title": title, **fields}, format="json"), 201)[
        "number"
    ]


def act(client, number: str, action: str, body: dict | None = None):
    return client.post(f"/api/tickets/{number}/{action}/", body or {}, format="json")


def escalated_to_l2(desk, api_for, requester=None) -> str:
    """A ticket the requester logged that L1 started and escalated to Applications (L2)."""
    number = log(api_for(requester or desk.requester))
    l1 = api_for(desk.l1_agent)
    ok(act(l1, number, "start"))
    ok(act(l1, number, "escalate", {"to_group": desk.l2.pk, "reason": "Needs the mail team"}))
    return number


def resolved(desk, api_for, requester=None) -> str:
    """A ticket the requester logged and L1 resolved."""
    number = log(api_for(requester or desk.requester))
    l1 = api_for(desk.l1_agent)
    ok(act(l1, number, "start"))
    ok(act(l1, number, "resolve", RESOLVE))
    return number


def written() -> dict[str, int]:
    """How many rows each of the project's tables holds now (tickets, timeline, outbox, SLA…)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("servicedesk.")
    }


def error_of(response, status: int, field: str) -> list[str]:
    """Check the error shape and that `field` is named; returns the reasons given for it."""
    body = ok(response, status)
    assert set(body) == {"detail", "code", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["code"], str) and body["code"], body
    assert field in body["errors"], body
    reasons = body["errors"][field]
    assert isinstance(reasons, list) and reasons and all(isinstance(r, str) for r in reasons), body
    if body["code"] != "parse_error":
        assert field in body["detail"], body
    return reasons
