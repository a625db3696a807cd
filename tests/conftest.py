"""Fixtures shared by the whole suite: a small desk with L1, L2 and L3 groups and their people."""

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from servicedesk.accounts.models import Role
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory, ServiceFactory


def pytest_collection_modifyitems(config, items):
    """Skip tests marked postgres_only unless the suite runs on PostgreSQL; refuse a transactional
    test that would leave the database unlike the migrated one.

    A plain `transaction=True` test ends with a flush that recreates the content types under new
    ids; the next serialized_rollback test then cannot restore its own. Such a test says
    `serialized_rollback=True` (or `available_apps`, which skips the recreation).
    """
    from django.db import connection

    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = marker.kwargs if marker else {}
        restores = kwargs.get("serialized_rollback") or kwargs.get("available_apps")
        if kwargs.get("transaction") and not restores:
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test needs serialized_rollback=True "
                "(or available_apps), or it breaks the serialized_rollback tests after it"
            )
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks and sequences under concurrency)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.SERVICEDESK_JOBS = "inline"
    # The real hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()
    # A database flushed by a transactional test gets its content types again under other ids;
    # the outbox's subject reference must not use the ids Django cached before.
    ContentType.objects.clear_cache()
    # Every test starts in the source language, whatever the one before it activated.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def deliver_outbox():
    """Deliver what is pending in the outbox (tests run inside a transaction that never commits,
    so the after-commit delivery does not fire by itself); returns the messages sent."""
    from django.core import mail

    from servicedesk.notifications.services import outbox_pending_deliver

    def deliver():
        outbox_pending_deliver()
        return list(mail.outbox)

    return deliver


@dataclass
class Desk:
    l1: object
    l2: object
    l2_network: object
    l3: object
    l1_agent: object
    l2_agent: object
    l2_network_agent: object
    l3_agent: object
    manager: object
    admin: object
    requester: object
    other_requester: object
    category: object
    questions: list
    service: object


@pytest.fixture
def desk(db) -> Desk:
    l1_agent = AgentFactory(username="lena.l1", first_name="Lena", last_name="Ionescu")
    l2_agent = AgentFactory(username="mihai.l2", first_name="Mihai", last_name="Popa")
    l2_network_agent = AgentFactory(username="nora.net", first_name="Nora", last_name="Dumitru")
    l3_agent = AgentFactory(username="radu.l3", first_name="Radu", last_name="Stan")
    manager = UserFactory(username="maria.mgr", role=Role.MANAGER, first_name="Maria")
    admin = UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    l1 = SupportGroupFactory(name="Service Desk", tier=1, manager=manager, members=[l1_agent])
    l2 = SupportGroupFactory(name="Applications", tier=2, manager=manager, members=[l2_agent])
    l2_network = SupportGroupFactory(name="Network", tier=2, members=[l2_network_agent])
    l3 = SupportGroupFactory(name="Engineering", tier=3, manager=manager, members=[l3_agent])
    category = CategoryFactory(name="Email")
    questions = [
        DiagnosticQuestionFactory(category=category, text="Since when?", position=1),
        DiagnosticQuestionFactory(
            category=category, text="Does webmail work?", answer_type="yes_no", position=2
        ),
    ]
    return Desk(
        l1=l1,
        l2=l2,
        l2_network=l2_network,
        l3=l3,
        l1_agent=l1_agent,
        l2_agent=l2_agent,
        l2_network_agent=l2_network_agent,
        l3_agent=l3_agent,
        manager=manager,
        admin=admin,
        requester=UserFactory(username="ana", first_name="Ana", last_name="Marin"),
        other_requester=UserFactory(username="bogdan", first_name="Bogdan", last_name="Enache"),
        category=category,
        questions=questions,
        service=ServiceFactory(name="Email", owner_group=l2),
    )


@pytest.fixture
def api_for():
    """api_for(user) → an APIClient authenticated with that user's token."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
