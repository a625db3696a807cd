"""API tokens (accounts/authentication.py): the token's owner is cached, and any change to that
person, their token or their groups is seen by the very next request."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from servicedesk.accounts.authentication import TOKEN_CACHE_SECONDS
from servicedesk.accounts.models import Role
from tests.accounts.factories import AgentFactory, UserFactory
from tests.tickets.api_steps import act, escalated_to_l2, log, ok
from tests.tickets.factories import ticket_logged

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _cached_owner_keys() -> list[str]:
    # LocMemCache (the test settings' cache) keeps its entries in a dict under their full keys.
    return [key for key in cache._cache if "auth:token" in key]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Wrap a change as if it committed: the invalidation may rightly wait for the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_second_request_with_the_same_token_does_not_read_the_token_again(desk, api_for):
    log(api_for(desk.requester), "Printer jam")
    # Someone else's request first: the reference data every list reads is then cached too, so
    # what differs below is the authentication alone.
    ok(api_for(desk.l2_agent).get("/api/tickets/"))
    agent = api_for(desk.l1_agent)

    with CaptureQueriesContext(connection) as first:
        first_page = ok(agent.get("/api/tickets/"))
    with CaptureQueriesContext(connection) as second:
        second_page = ok(agent.get("/api/tickets/"))

    assert second_page == first_page
    assert [t["title"] for t in second_page["results"]] == ["Printer jam"]
    assert any("authtoken_token" in q["sql"] for q in first.captured_queries)
    assert not any("authtoken_token" in q["sql"] for q in second.captured_queries)
    assert len(second.captured_queries) < len(first.captured_queries)


def test_a_deleted_token_is_refused_at_once(desk, api_for, committed):
    agent = api_for(desk.l1_agent)
    ok(agent.get("/api/tickets/"))

    with committed():
        Token.objects.get(user=desk.l1_agent).delete()

    response = agent.get("/api/tickets/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_deactivated_person_is_refused_at_once(desk, api_for, committed):
    agent = api_for(desk.l1_agent)
    ok(agent.get("/api/tickets/"))

    with committed():
        desk.l1_agent.is_active = False
        desk.l1_agent.save()

    assert agent.get("/api/tickets/").status_code == 401
    assert agent.get("/api/tickets/").status_code == 401


def test_a_role_change_changes_what_the_next_request_sees(desk, api_for, committed):
    number = log(api_for(desk.requester), "VPN drops")
    agent = api_for(desk.l1_agent)
    assert ok(agent.get(f"/api/tickets/{number}/"))["title"] == "VPN drops"
    assert [t["number"] for t in ok(agent.get("/api/tickets/"))["results"]] == [number]

    with committed():
        desk.l1_agent.role = Role.REQUESTER
        desk.l1_agent.save()

    # Now a requester: someone else's ticket is not there.
    assert agent.get(f"/api/tickets/{number}/").status_code == 404
    assert ok(agent.get("/api/tickets/"))["results"] == []


def test_leaving_a_support_group_takes_its_tickets_away_at_once(desk, api_for, committed):
    number = escalated_to_l2(desk, api_for)
    agent = api_for(desk.l2_agent)
    assert "start" in ok(agent.get(f"/api/tickets/{number}/"))["actions"]

    with committed():
        desk.l2.members.remove(desk.l2_agent)

    response = act(agent, number, "start")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert ok(agent.get(f"/api/tickets/{number}/"))["actions"] == []
    assert ok(api_for(desk.admin).get(f"/api/tickets/{number}/"))["status"] == "new"


def test_joining_a_support_group_gives_its_tickets_at_once(desk, api_for, committed):
    number = escalated_to_l2(desk, api_for)
    agent = api_for(desk.l2_network_agent)
    assert act(agent, number, "start").status_code == 403

    with committed():
        desk.l2_network_agent.support_groups.add(desk.l2)  # the other side of the relation

    assert ok(act(agent, number, "start"))["status"] == "in_progress"


def test_a_group_losing_its_manager_is_seen_at_once(desk, api_for, committed):
    number = escalated_to_l2(desk, api_for)
    manager = api_for(desk.manager)
    assert "start" in ok(manager.get(f"/api/tickets/{number}/"))["actions"]

    with committed():
        desk.l2.manager = None
        desk.l2.save()

    assert act(manager, number, "start").status_code == 403


def test_an_unknown_token_is_refused_and_nothing_is_cached(desk, api_for):
    response = _with_token("0" * 40).get("/api/tickets/")

    assert response.status_code == 401
    assert _cached_owner_keys() == []
    # The same look at the cache does find an owner once a good token was used.
    ok(api_for(desk.requester).get("/api/tickets/"))
    assert len(_cached_owner_keys()) == 1


def test_an_inactive_persons_token_is_refused_and_nothing_is_cached(desk, api_for):
    client = api_for(desk.l1_agent)
    desk.l1_agent.is_active = False
    desk.l1_agent.save()

    assert client.get("/api/tickets/").status_code == 401
    assert _cached_owner_keys() == []


def test_the_cache_never_holds_the_raw_token(desk, api_for):
    client = api_for(desk.l1_agent)
    ok(client.get("/api/tickets/"))
    key = Token.objects.get(user=desk.l1_agent).key

    assert len(_cached_owner_keys()) == 1
    assert not [k for k in cache._cache if key in k]


def test_a_change_behind_the_signals_is_seen_once_the_cached_owner_expires(
    desk, api_for, time_machine
):
    time_machine.move_to(T0, tick=False)
    agent = api_for(desk.l1_agent)
    ok(agent.get("/api/tickets/"))
    # A bulk update sends no signal: only the timeout bounds how long the old state is used.
    type(desk.l1_agent).objects.filter(pk=desk.l1_agent.pk).update(is_active=False)

    time_machine.shift(timedelta(seconds=TOKEN_CACHE_SECONDS + 1))

    assert agent.get("/api/tickets/").status_code == 401


# A request served by another worker while the change is not yet committed reads the old row.
@pytest.mark.postgres_only
@pytest.mark.django_db(
    transaction=True, available_apps=[config.name for config in apps.get_app_configs()]
)
def test_a_request_while_a_deactivation_commits_does_not_keep_the_person_signed_in():
    agent = AgentFactory(username="temp.agent")
    client = _with_token(Token.objects.create(user=agent).key)
    ok(client.get("/api/tickets/"))

    def request_from_another_worker() -> int:
        try:
            return client.get("/api/tickets/").status_code
        finally:
            connection.close()

    with transaction.atomic():
        agent.is_active = False
        agent.save()
        with ThreadPoolExecutor(max_workers=1) as other_worker:
            during = other_worker.submit(request_from_another_worker).result(timeout=10)

    assert during == 200  # not committed yet: the other worker rightly sees them active
    assert client.get("/api/tickets/").status_code == 401


def test_the_cached_owner_holds_no_password_hash(desk, api_for):
    ok(api_for(desk.l1_agent).get("/api/tickets/"))
    (key,) = _cached_owner_keys()
    cached = cache.get(key.split(":", 2)[2])  # LocMemCache prefixes ":<version>:"
    assert cached.pk == desk.l1_agent.pk
    assert "password" in cached.get_deferred_fields()
    assert desk.l1_agent.password not in str(cache._cache[key])


def test_a_sign_in_elsewhere_keeps_the_cached_owners(desk, api_for, committed):
    agent = api_for(desk.l1_agent)
    ok(agent.get("/api/tickets/"))
    with committed():
        desk.l2_agent.save(update_fields=["last_login"])  # what every sign-in does

    with CaptureQueriesContext(connection) as after:
        ok(agent.get("/api/tickets/"))
    assert not any("authtoken_token" in q["sql"] for q in after.captured_queries)


def test_a_token_given_to_someone_else_is_theirs_from_the_next_request(desk, committed):
    lender, borrower = AgentFactory(username="lender"), UserFactory(username="borrower")
    ticket_logged(requester=desk.requester, title="Not theirs")
    ticket_logged(requester=borrower, title="Only mine")
    token = Token.objects.create(user=lender)
    client = _with_token(token.key)
    assert len(ok(client.get("/api/tickets/"))["results"]) == 2
    with committed():
        token.user = borrower  # as the admin's token form saves it
        token.save()

    titles = [t["title"] for t in ok(client.get("/api/tickets/"))["results"]]
    assert titles == ["Only mine"]
