"""axe-core on the pages people use most: no serious or critical violation."""

import pytest

from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory
from tests.e2e.conftest import PHONE, axe_blocking
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_no_serious_or_critical_violations(person, lang):
    agent = AgentFactory(username="lena", first_name="Lena", language=lang)
    l1 = SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    SupportGroupFactory(name="Applications", tier=2)
    requester = UserFactory(username="ana", first_name="Ana", language=lang)
    category = CategoryFactory(name="Email", default_group=l1)
    DiagnosticQuestionFactory(category=category, text="Since when?")
    ticket = ticket_logged(requester=requester, title="Mail down", category=category)
    services.ticket_comment(ticket=ticket, actor=agent, body="Checking", public=False)
    services.ticket_start(ticket=ticket, actor=agent)
    services.ticket_hold(ticket=ticket, actor=agent, reason="awaiting_caller", note="Since when?")

    found = {}
    portal = person(requester, lang=lang, viewport=PHONE)
    for name, path in (
        ("portal home", "/"),
        ("report form", "/report/?kind=incident"),
        ("portal ticket", f"/tickets/{ticket.number}/"),
    ):
        portal.go(path)
        found[name] = axe_blocking(portal.page)

    desk = person(agent, lang=lang)
    for name, path in (
        ("queue", "/desk/?queue=open"),
        ("ticket page", f"/desk/tickets/{ticket.number}/?do=resolve"),
        ("phone-logging form", f"/desk/log/?category={category.pk}"),
    ):
        desk.go(path)
        found[name] = axe_blocking(desk.page)

    signed_out = person(requester, lang=lang, sign_in=False)
    signed_out.go("/login/")
    found["sign-in"] = axe_blocking(signed_out.page)

    assert {page: problems for page, problems in found.items() if problems} == {}
