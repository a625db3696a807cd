"""The console's ticket page offers only what can succeed, in words a person reads: no
de-escalation at L1, the resolution codes of the ticket's own kind, the priority an edit gives
before it is saved, an escalated ticket waiting New in the next queue, and who resolved it —
in English and in Romanian, at desktop and phone widths."""

import pytest

from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.e2e.conftest import DESKTOP, PHONE
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page scrolls {width} px sideways"


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_ticket_page_offers_what_can_succeed_and_says_who_resolved(person, lang, viewport):
    l1_agent = AgentFactory(username="lena.l1", first_name="Lena", language=lang)
    l3_agent = AgentFactory(username="radu.l3", first_name="Radu", last_name="Stan", language=lang)
    l1 = SupportGroupFactory(name="Service Desk", tier=1, members=[l1_agent])
    engineering = SupportGroupFactory(name="Engineering", tier=3, members=[l3_agent])
    requester = UserFactory(username="ana")
    ticket = ticket_logged(
        requester=requester, title="Core switch down", impact="high", urgency="high"
    )
    assert ticket.assignment_group == l1

    lena = person(l1_agent, lang=lang, viewport=viewport)
    page = lena.go(f"/desk/tickets/{ticket.number}/")
    actions = page.locator(".actions-bar")
    # Item 19: an L1 ticket cannot be sent to a lower tier.
    assert actions.get_by_text(lena.t("De-escalate"), exact=True).count() == 0
    assert actions.get_by_text(lena.t("Escalate"), exact=True).count() == 1

    # Item 25: Edit details previews the priority the impact and urgency give.
    actions.get_by_text(lena.t("Edit details"), exact=True).click()
    form = page.locator("#action-form")
    assert "P1" in page.locator("#priority-preview").inner_text()
    form.get_by_label(lena.t("Impact")).select_option("low")
    form.get_by_label(lena.t("Urgency")).select_option("low")
    page.locator("#priority-preview", has_text="P5").wait_for()
    _no_sideways_scroll(page)

    # Item 22: an incident is resolved with an incident's codes only.
    page = lena.go(f"/desk/tickets/{ticket.number}/?do=resolve")
    codes = page.get_by_label(lena.t("Resolution")).locator("option").all_inner_texts()
    assert lena.t("Solved remotely") in codes
    assert lena.t("Fulfilled") not in codes

    # Item 21: escalated, it waits New in L3's queue; the L3 engineer resolves it untaken.
    services.ticket_escalate(
        ticket=ticket, actor=l1_agent, to_group=engineering, reason="Needs engineering"
    )
    radu = person(l3_agent, lang=lang, viewport=viewport)
    page = radu.go(f"/desk/tickets/{ticket.number}/")
    assert radu.t("New") in page.locator(".ticket-head").inner_text()
    page.get_by_text(radu.t("Resolve"), exact=True).first.click()
    form = page.locator("#action-form")
    form.get_by_label(radu.t("Resolution")).select_option("solved_permanently")
    form.get_by_label(radu.t("What was done")).fill("Replaced the supervisor module.")
    form.get_by_label(radu.t("The service is restored for the requester")).check()
    radu.submit(form.get_by_role("button", name=radu.t("Resolve")))
    details = page.locator("#details-title + dl").inner_text()
    assert radu.t("nobody yet") in details  # nobody had taken it…
    with_name = radu.t("by %(name)s") % {"name": "Radu Stan"}
    assert with_name in details  # …and the page says who resolved it
    _no_sideways_scroll(page)


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_portal_cards_and_the_breaching_queue_say_what_is_true(person, lang, viewport):
    """Item 18: a card says when it last changed in one phrase; item 20: the breaching-soon
    queue's sort box names the order its rows are in."""
    requester = UserFactory(username="ana", language=lang)
    agent = AgentFactory(username="lena.l1", first_name="Lena", language=lang)
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    ticket_logged(requester=requester, title="Laptop will not start", impact="high", urgency="high")

    ana = person(requester, lang=lang, viewport=viewport)
    page = ana.go("/")
    card = page.locator(".ticket-card").first.inner_text()
    expected = ana.t("Last change: %(ago)s") % {"ago": ana.t("just now")}
    assert expected in card, card
    assert "now ago" not in card and "acum acum" not in card
    _no_sideways_scroll(page)

    lena = person(agent, lang=lang, viewport=viewport)
    page = lena.go("/desk/?queue=breaching")
    chosen = page.locator("select[name=sort] option:checked").inner_text()
    assert chosen == lena.t("Due soonest")
    _no_sideways_scroll(page)
