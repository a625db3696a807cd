"""Possible outages in a real browser, in English and Romanian: the proposals page has no
serious or critical axe violation and no English left in Romanian; an agent confirms a proposal
and lands on the incident, whose children are the tickets."""

import pytest

from servicedesk.alerts.models import Surge, SurgeMode, SurgeStatus
from servicedesk.alerts.services import surge_rule_save
from servicedesk.tickets.services import ticket_log
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import ServiceFactory
from tests.e2e.conftest import page_problems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_an_agent_confirms_a_possible_outage(person, lang):
    agent = AgentFactory(username="lena", first_name="Lena", language=lang)
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    email = ServiceFactory(name="Email")
    surge_rule_save(mode=SurgeMode.PROPOSE)
    tickets = [
        ticket_log(actor=who, title=f"Mail is down ({n})", service=email)
        for n, who in enumerate(UserFactory() for _ in range(5))
    ]

    someone = person(agent, lang=lang)
    page = someone.go("/desk/alerts/surges/")
    assert page.locator("h1").inner_text() == someone.t("Possible outages")
    assert page_problems(someone) == []
    someone.shot("possible-outages")

    someone.submit(page.get_by_role("button", name=someone.t("Confirm: open the incident")))
    surge = Surge.objects.get()
    assert surge.status == SurgeStatus.OPEN and surge.decided_by == agent
    assert f"/desk/tickets/{surge.incident.number}/" in page.url
    assert set(surge.incident.children.values_list("pk", flat=True)) == {t.pk for t in tickets}
