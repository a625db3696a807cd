"""Pages fit their screen: nothing scrolls sideways, long words wrap inside their panel, and the
console's queue reads as rows of cards on narrow screens. In both languages, at desktop, tablet
and phone widths."""

import pytest

from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory
from tests.e2e.conftest import DESKTOP, PHONE, axe_blocking
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLET = {"width": 820, "height": 1180}
LONG_QUESTION = {
    "en": "Which of the shared mailboxes of the finance department stopped synchronising first, "
    "and did the problem start before or after the weekend's password change?",
    "ro": "Care dintre căsuțele poștale comune ale departamentului financiar s-a oprit prima din "
    "sincronizare și a început problema înainte sau după schimbarea parolelor din weekend?",
}
LONG_ANSWER = "finance-shared-mailbox-accounts-payable@example-company-with-a-long-name.ro"


def assert_fits(page, where: str) -> None:
    """Nothing on the page scrolls sideways."""
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{where} scrolls sideways: {scroll} px wide in a {inner} px window"


def assert_accessible(page, where: str) -> None:
    problems = axe_blocking(page)
    assert not problems, f"{where}: {problems}"


def _inside(page, inner: str, outer: str) -> bool:
    return page.evaluate(
        """([inner, outer]) => {
          const o = document.querySelector(outer).getBoundingClientRect();
          return [...document.querySelectorAll(inner)].every(el => {
            const r = el.getBoundingClientRect();
            return r.left >= o.left - 1 && r.right <= o.right + 1;
          });
        }""",
        [inner, outer],
    )


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_long_diagnosis_wraps_inside_its_panel(person, lang):
    agent = AgentFactory(username="lena", first_name="Lena", language=lang)
    l1 = SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    category = CategoryFactory(name="Email", default_group=l1)
    question = DiagnosticQuestionFactory(category=category, text=LONG_QUESTION[lang])
    ticket = ticket_logged(requester=UserFactory(username="ana"), category=category)
    services.ticket_diagnosis_record(ticket=ticket, actor=agent, answers={question.pk: LONG_ANSWER})
    for name, viewport in (("desktop", DESKTOP), ("tablet", TABLET), ("phone", PHONE)):
        desk = person(agent, lang=lang, viewport=viewport)
        page = desk.go(f"/desk/tickets/{ticket.number}/")
        panel = "section[aria-labelledby=diagnosis-title]"
        where = f"the ticket page ({lang}, {name})"
        assert_fits(page, where)
        assert _inside(page, f"{panel} dt, {panel} dd", panel), where
        # The answer reads as a line of text, not one letter per line.
        answer = page.locator(f"{panel} dd").first.bounding_box()
        assert answer["width"] > 150, where
        if name == "phone":
            desk.shot("ticket-diagnosis-phone")
    assert_accessible(page, f"the ticket page ({lang}, phone)")


WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
       (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
       ' ' + Math.round(el.getBoundingClientRect().right))
  .slice(0, 8)"""


def assert_fits_well(page, where: str) -> None:
    """Nothing scrolls sideways, and nothing sticks out of the window (a menu that would need
    scrolling inside itself included)."""
    assert_fits(page, where)
    wider = page.evaluate(WIDER_THAN_THE_WINDOW)
    assert not wider, f"{where}: {wider}"


def _portal_ticket(lang):
    requester = UserFactory(
        username="ana", first_name="Ana", last_name="Marin-Constantinescu", language=lang
    )
    agent = AgentFactory(username="lena", first_name="Lena", language=lang)
    l1 = SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    category = CategoryFactory(name="Poștă electronică și calendare partajate", default_group=l1)
    ticket = ticket_logged(
        requester=requester,
        title=f"{LONG_ANSWER} {LONG_QUESTION[lang]}"[:200],
        description=LONG_ANSWER,
        category=category,
    )
    services.ticket_start(ticket=ticket, actor=agent)
    services.ticket_hold(ticket=ticket, actor=agent, reason="awaiting_caller", note=LONG_ANSWER)
    return requester, agent, ticket


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_portal_fits_a_phone(person, lang):
    requester, _agent, ticket = _portal_ticket(lang)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        portal = person(requester, lang=lang, viewport=viewport)
        for page_name, path in (
            ("home", "/"),
            ("ticket", f"/tickets/{ticket.number}/"),
            ("report form", "/report/?kind=request"),
        ):
            page = portal.go(path)
            assert_fits_well(page, f"the portal {page_name} ({lang}, {name})")
        # Every item of the menu is on the screen, none hidden in a strip that scrolls.
        for link in portal.page.locator("header nav a").all():
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert_accessible(portal.page, f"the portal report form ({lang}, phone)")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_queue_reads_as_cards_on_narrow_screens(person, lang):
    requester, agent, ticket = _portal_ticket(lang)
    for n in range(3):
        ticket_logged(requester=requester, title=f"{LONG_QUESTION[lang][:60]} {n}")
    for name, viewport in (("desktop", DESKTOP), ("tablet", TABLET), ("phone", PHONE)):
        desk = person(agent, lang=lang, viewport=viewport)
        page = desk.go("/desk/?queue=open")
        where = f"the queue ({lang}, {name})"
        assert_fits_well(page, where)
        row = page.locator("#queue-rows tr", has_text=ticket.number)
        text = row.inner_text()
        # Each row still says everything: number, priority and status in words, the ages.
        for words in (ticket.number, desk.t("P3 – moderate"), desk.t("Awaiting caller")):
            assert words in text, f"{where}: {words}"
        # Without the header, the cells say what they are (the ages above all).
        labels = row.locator("td").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c, '::before').content)"
        )
        for column in ("Requester", "Age", "Updated"):
            assert (f'"{desk.t(column)}"' in labels) == (name != "desktop"), f"{where}: {column}"
        header_shown = page.locator("#queue-table thead").bounding_box()["height"] > 1
        assert header_shown == (name == "desktop"), where
        if name != "desktop":
            desk.shot(f"queue-{name}")
    assert_accessible(page, f"the queue ({lang}, phone)")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_reports_fit_and_start_with_a_summary(person, lang):
    manager = AgentFactory(username="maria", first_name="Maria", language=lang)
    l1 = SupportGroupFactory(name="Service Desk and Workplace Support", tier=1, members=[manager])
    requester = UserFactory(username="ana")
    for n in range(3):
        ticket = ticket_logged(requester=requester, title=f"Printer {n}", category=None)
        services.ticket_start(ticket=ticket, actor=manager)
    services.ticket_resolve(
        ticket=ticket,
        actor=manager,
        resolution_code="solved_remotely",
        resolution_notes="Done",
        service_restored=True,
    )
    assert l1.members.count() == 1
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        desk = person(manager, lang=lang, viewport=viewport)
        page = desk.go("/desk/reports/?breakdown=group")
        where = f"the reports ({lang}, {name})"
        assert_fits(page, where)
        # The summary first; the charts open, the tables and definitions closed until asked.
        opened = page.locator("details.report-part").evaluate_all("parts => parts.map(p => p.open)")
        assert opened[0] is True and not any(opened[1:]) and len(opened) >= 4, where
        promise = page.locator("#promise").inner_text()
        assert (
            desk.t(
                "Average time to resolution %(mean)s (business time) — within the desk's "
                "promise of %(hours)s h on average."
            ).split("%(mean)s")[0]
            in promise
        )
        counts = page.locator("#sla-resolution-counts").inner_text()
        assert "/" not in counts, where
        desk.shot(f"reports-{name}")
        # Every table opened shows all its columns on a desktop (none cut off at the edge).
        for part in page.locator("details.report-part").all():
            part.locator("summary").first.click()
        if name == "desktop":
            clipped = page.evaluate(
                """() => [...document.querySelectorAll('.figures-wrap')]
                   .filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.id || w.textContent.slice(0, 40))"""
            )
            assert not clipped, f"{where}: {clipped}"
        assert_fits(page, f"{where}, every part open")
    assert_accessible(page, f"the reports ({lang}, phone)")
