"""Pages fit their screen: nothing scrolls sideways, long words wrap inside their panel, and the
console's queue reads as rows of cards on narrow screens. In both languages, at desktop, tablet
and phone widths."""

import pytest

from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import _blocking
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
    problems = _blocking(page)
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
