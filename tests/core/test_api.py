"""Every API error has one shape, {"detail", "code", "errors"}, whatever raised it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets.api_steps import error_of, log, written


@pytest.fixture
def number(desk, api_for):
    return log(api_for(desk.requester), "Broken screen")


def _anonymous(client, number, desk, api_for):
    return client.get("/api/tickets/")


def _unknown_ticket(client, number, desk, api_for):
    return api_for(desk.requester).get("/api/tickets/INC0000000/")


def _unknown_route(client, number, desk, api_for):
    return api_for(desk.requester).post(f"/api/tickets/{number}/explode/", {}, format="json")


def _unknown_api_path(client, number, desk, api_for):
    return api_for(desk.requester).get("/api/nothing/here/")


def _unknown_api_path_anonymous(client, number, desk, api_for):
    return client.get("/api/v2/tickets/")


def _not_acceptable(client, number, desk, api_for):
    return api_for(desk.requester).get("/api/tickets/", HTTP_ACCEPT="text/html")


def _wrong_method(client, number, desk, api_for):
    return api_for(desk.l1_agent).delete(f"/api/tickets/{number}/")


def _not_permitted(client, number, desk, api_for):
    return api_for(desk.requester).post(f"/api/tickets/{number}/start/", {}, format="json")


def _nested_validation(client, number, desk, api_for):
    return api_for(desk.l1_agent).post(
        f"/api/tickets/{number}/diagnosis/", {"answers": {"1": ["a", "b"]}}, format="json"
    )


def _conflict(client, number, desk, api_for):
    return api_for(desk.requester).post(f"/api/tickets/{number}/confirm/", {}, format="json")


def _stale(client, number, desk, api_for):
    agent = api_for(desk.l1_agent)
    ticket_id = agent.get(f"/api/tickets/{number}/")["ETag"].strip('"').split("-")[0]
    return agent.patch(
        f"/api/tickets/{number}/",
        {"impact": "low"},
        format="json",
        HTTP_IF_MATCH=f'"{ticket_id}-999"',
    )


def _foreign_etag(client, number, desk, api_for):
    return api_for(desk.l1_agent).patch(
        f"/api/tickets/{number}/", {"impact": "low"}, format="json", HTTP_IF_MATCH='"0-1"'
    )


def _precondition_required(client, number, desk, api_for):
    return api_for(desk.l1_agent).patch(f"/api/tickets/{number}/", {}, format="json")


def _too_large(client, number, desk, api_for):
    return api_for(desk.requester).post(
        f"/api/tickets/{number}/attachments/",
        {"file": SimpleUploadedFile("x.bin", b"x")},
        format="multipart",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )


def _unsupported_media(client, number, desk, api_for):
    return api_for(desk.requester).generic(
        "POST", "/api/tickets/", "title=Mail", content_type="text/plain"
    )


def _malformed(client, number, desk, api_for):
    return api_for(desk.requester).generic(
        "POST", "/api/tickets/", "[", content_type="application/json"
    )


def _key_reused(client, number, desk, api_for):
    ana = api_for(desk.requester)
    ana.post("/api/tickets/", {"title": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    return ana.post("/api/tickets/", {"title": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k")


# (request, status, code, a field the errors name or None)
ERRORS = [
    (_anonymous, 401, "not_authenticated", None),
    (_unknown_ticket, 404, "not_found", None),
    (_unknown_route, 404, "not_found", None),
    (_unknown_api_path, 404, "not_found", None),
    (_unknown_api_path_anonymous, 404, "not_found", None),
    (_not_acceptable, 406, "not_acceptable", None),
    (_wrong_method, 405, "method_not_allowed", None),
    (_not_permitted, 403, "permission_denied", "non_field_errors"),
    (_nested_validation, 400, "invalid", "answers.1"),
    (_conflict, 409, "transition_not_allowed", "action"),
    (_stale, 412, "stale", "If-Match"),
    (_foreign_etag, 412, "stale", "If-Match"),
    (_precondition_required, 428, "precondition_required", "If-Match"),
    (_too_large, 413, "too_large", "file"),
    (_unsupported_media, 415, "unsupported_media_type", None),
    (_malformed, 400, "parse_error", "body"),
    (_key_reused, 422, "idempotency_key_reused", None),
]


@pytest.mark.parametrize(
    ("send", "status", "code", "field"), ERRORS, ids=[e[0].__name__.strip("_") for e in ERRORS]
)
def test_every_error_has_the_same_shape(client, number, desk, api_for, send, status, code, field):
    response = send(client, number, desk, api_for)

    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert "ErrorDetail" not in body["detail"]
    assert body["code"] == code
    assert isinstance(body["errors"], dict)
    for reasons in body["errors"].values():
        assert isinstance(reasons, list) and all(isinstance(r, str) for r in reasons), body
    if field is not None:
        assert body["errors"][field], body
        assert field in body["detail"] or code == "parse_error"


def test_nested_errors_are_named_by_their_path(desk, api_for, number):
    response = api_for(desk.l1_agent).post(
        f"/api/tickets/{number}/diagnosis/",
        {"answers": {"1": ["a list"], "2": "fine"}},
        format="json",
    )
    assert response.json() == {
        "detail": "answers.1: Not a valid string.",
        "code": "invalid",
        "errors": {"answers.1": ["Not a valid string."]},
    }


def test_a_path_outside_the_api_still_gets_the_html_404_page(desk, client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_path_without_its_slash_is_still_redirected(desk, api_for):
    response = api_for(desk.requester).get("/api/tickets")

    assert response.status_code == 301
    assert response["Location"] == "/api/tickets/"


@pytest.mark.parametrize(
    "key", ["a\x00b", "line\nbreak", "x" * 201], ids=["nul", "newline", "long"]
)
def test_an_idempotency_key_that_cannot_be_stored_is_a_400_and_logs_nothing(desk, api_for, key):
    before = written()
    response = api_for(desk.requester).post(
        "/api/tickets/", {"title": "Mail"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert error_of(response, 400, "Idempotency-Key")
    assert written() == before
