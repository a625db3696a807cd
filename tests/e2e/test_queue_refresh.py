"""The queue refreshes itself, without a page reload, and pauses while rows are ticked."""

import pytest

from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_new_tickets_appear_without_a_reload(person, settings):
    settings.SERVICEDESK_QUEUE_POLL_SECONDS = 1
    agent = AgentFactory(username="lena", first_name="Lena")
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    ana = UserFactory(username="ana", first_name="Ana")
    first = ticket_logged(requester=ana, title="Printer offline")

    lena = person(agent)
    page = lena.go("/desk/?queue=unassigned")
    page.evaluate("window.notReloaded = true")
    assert page.locator("#queue-rows tr", has_text=first.number).count() == 1
    counts = page.locator("#queue-counts a[aria-current=page] .count")
    assert counts.inner_text() == "1"

    second = ticket_logged(requester=ana, title="Scanner offline")
    page.locator("#queue-rows tr", has_text=second.number).wait_for(timeout=8_000)
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_function(
        "document.querySelector('#queue-counts a[aria-current=page] .count').textContent === '2'"
    )

    # While a row is ticked for a bulk action, the rows stay as they are.
    page.locator("#queue-rows input[type=checkbox]").first.check()
    third = ticket_logged(requester=ana, title="Keyboard broken")
    page.wait_for_timeout(2_500)
    assert page.locator("#queue-rows tr", has_text=third.number).count() == 0
    assert page.locator("#queue-rows input[type=checkbox]:checked").count() == 1
