"""Stale edits get a conflict, retried creates return the first result, and numbers never repeat."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from servicedesk.tickets.models import Ticket
from tests.tickets.api_steps import error_of, log, ok, written


def test_two_edits_from_the_same_read_one_wins_one_gets_412(desk, api_for):
    number = log(api_for(desk.requester))
    lena, maria = api_for(desk.l1_agent), api_for(desk.manager)
    etag = lena.get(f"/api/tickets/{number}/")["ETag"]

    first = lena.patch(
        f"/api/tickets/{number}/", {"impact": "high"}, format="json", HTTP_IF_MATCH=etag
    )
    second = maria.patch(
        f"/api/tickets/{number}/", {"urgency": "low"}, format="json", HTTP_IF_MATCH=etag
    )

    assert ok(first)["impact"] == "high"
    assert first["ETag"] != etag
    assert error_of(second, 412, "If-Match")
    assert second.json()["code"] == "stale"
    current = ok(lena.get(f"/api/tickets/{number}/"))
    assert (current["impact"], current["urgency"], current["priority"]) == ("high", "medium", 2)
    changes = [
        e for e in ok(lena.get(f"/api/tickets/{number}/timeline/")) if e["type"] == "changed"
    ]
    assert len(changes) == 1
    # With the fresh ETag the second edit goes through.
    retried = maria.patch(
        f"/api/tickets/{number}/", {"urgency": "low"}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert ok(retried)["priority"] == 3


def test_an_edit_without_if_match_is_refused_with_428(desk, api_for):
    number = log(api_for(desk.requester))
    before = written()
    response = api_for(desk.l1_agent).patch(
        f"/api/tickets/{number}/", {"impact": "high"}, format="json"
    )
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert "If-Match" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("if_match", ['"999999-1"', "garbage", '"1-x"'])
def test_an_etag_of_another_ticket_or_malformed_is_412(desk, api_for, if_match):
    number = log(api_for(desk.requester))
    before = written()
    response = api_for(desk.l1_agent).patch(
        f"/api/tickets/{number}/", {"impact": "high"}, format="json", HTTP_IF_MATCH=if_match
    )
    assert (response.status_code, response.json()["code"]) == (412, "stale")
    assert written() == before


def test_a_weak_etag_from_a_proxy_is_accepted(desk, api_for):
    number = log(api_for(desk.requester))
    l1 = api_for(desk.l1_agent)
    etag = l1.get(f"/api/tickets/{number}/")["ETag"]
    response = l1.patch(
        f"/api/tickets/{number}/", {"impact": "low"}, format="json", HTTP_IF_MATCH=f"W/{etag}"
    )
    assert ok(response)["priority"] == 4


def test_an_unchanged_ticket_is_not_sent_again(desk, api_for):
    number = log(api_for(desk.requester))
    l1 = api_for(desk.l1_agent)
    etag = l1.get(f"/api/tickets/{number}/")["ETag"]
    response = l1.get(f"/api/tickets/{number}/", HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)
    ok(l1.post(f"/api/tickets/{number}/start/", {}, format="json"))
    assert l1.get(f"/api/tickets/{number}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def _create(client, body, key):
    return client.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_create_with_the_same_key_returns_the_first_ticket(desk, api_for):
    ana = api_for(desk.requester)
    body = {"title": "Cannot print", "impact": "low"}

    first = _create(ana, body, "retry-7f3a")
    before_retry = written()
    again = _create(ana, body, "retry-7f3a")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert not first.has_header("Idempotent-Replayed")
    assert written() == before_retry
    assert Ticket.objects.filter(title="Cannot print").count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(desk, api_for):
    ana = api_for(desk.requester)
    ok(_create(ana, {"title": "Cannot print"}, "k-1"), 201)
    before = written()

    response = _create(ana, {"title": "Cannot scan"}, "k-1")

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert "Idempotency-Key" in response.json()["detail"]
    assert written() == before


def test_keys_belong_to_one_person_and_a_failed_create_does_not_use_one_up(desk, api_for):
    ana, bogdan = api_for(desk.requester), api_for(desk.other_requester)
    ok(_create(ana, {"title": "Cannot print"}, "shared-key"), 201)
    theirs = ok(_create(bogdan, {"title": "Cannot print"}, "shared-key"), 201)
    assert theirs["requester"]["name"] == "Bogdan Enache"

    failed = _create(ana, {"title": ""}, "after-error")
    assert failed.status_code == 400
    fixed = _create(ana, {"title": "Cannot scan"}, "after-error")
    assert ok(fixed, 201)["title"] == "Cannot scan"
    assert Ticket.objects.count() == 3


def test_an_overlong_idempotency_key_is_named_in_the_error(desk, api_for):
    before = written()
    response = _create(api_for(desk.requester), {"title": "Cannot print"}, "k" * 201)
    assert "At most 200 characters." in error_of(response, 400, "Idempotency-Key")
    assert written() == before


# -- real concurrency (PostgreSQL: SQLite serialises writers, so there is no race to test) ----


def _run_together(count: int, request) -> list:
    """Run `request(i)` in `count` threads released at once; each closes its connection."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return request(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_creates_get_fifty_distinct_numbers(desk):
    tokens = [_client(desk.requester) for _ in range(50)]

    responses = _run_together(
        50,
        lambda i: tokens[i].post("/api/tickets/", {"title": f"Outage report {i}"}, format="json"),
    )

    assert [r.status_code for r in responses] == [201] * 50
    numbers = {r.json()["number"] for r in responses}
    assert len(numbers) == 50
    assert Ticket.objects.count() == 50
    assert set(Ticket.objects.values_list("number", flat=True)) == numbers


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_edits_with_the_same_etag_give_exactly_one_412(desk):
    number = _client(desk.requester).post("/api/tickets/", {"title": "X"}, format="json")
    number = number.json()["number"]
    clients = [_client(desk.l1_agent), _client(desk.manager)]
    etag = clients[0].get(f"/api/tickets/{number}/")["ETag"]
    changes = [{"impact": "high"}, {"urgency": "low"}]

    responses = _run_together(
        2,
        lambda i: clients[i].patch(
            f"/api/tickets/{number}/", changes[i], format="json", HTTP_IF_MATCH=etag
        ),
    )

    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    ticket = Ticket.objects.get(number=number)
    assert ticket.version == 2
    assert (ticket.impact, ticket.urgency) == (
        ("high", "medium") if winner == 0 else ("medium", "low")
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_with_the_same_key_make_one_ticket(desk):
    clients = [_client(desk.requester) for _ in range(8)]

    responses = _run_together(
        8,
        lambda i: clients[i].post(
            "/api/tickets/", {"title": "Once only"}, format="json", HTTP_IDEMPOTENCY_KEY="same"
        ),
    )

    assert Ticket.objects.filter(title="Once only").count() == 1
    number = Ticket.objects.get(title="Once only").number
    for response in responses:
        # Every retry gets the first result, or is told the first is still being processed.
        assert response.status_code in {201, 409}, response.json()
        if response.status_code == 201:
            assert response.json()["number"] == number
        else:
            assert response.json()["code"] == "idempotency_in_flight"
    first = [
        r for r in responses if r.status_code == 201 and not r.has_header("Idempotent-Replayed")
    ]
    assert len(first) == 1
