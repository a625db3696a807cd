"""A major incident in a real browser, in English and Romanian: an agent declares one from a
P1's page, assigns the roles, links the user tickets, sends a public update, resolves it and
writes the post-incident review; no page has a serious or critical axe violation, and the
Romanian pages have no English left."""

import pytest
from django.core import mail

from servicedesk.majorincidents.models import MajorIncident
from servicedesk.tickets.models import Status, Ticket
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.e2e.conftest import page_problems
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def outage(db):
    agent = AgentFactory(username="radu", first_name="Radu", last_name="Stan")
    SupportGroupFactory(name="Service Desk", tier=1, members=[agent])
    l3 = SupportGroupFactory(name="Engineering", tier=3, members=[agent])
    ana = UserFactory(username="ana", first_name="Ana", language="ro")
    bogdan = UserFactory(username="bogdan", first_name="Bogdan")
    p1 = ticket_logged(
        requester=ana,
        actor=agent,
        title="Mail server down",
        impact="high",
        urgency="high",
        assignment_group=l3,
    )
    assert p1.priority == 1
    reports = [
        ticket_logged(requester=ana, title="No mail"),
        ticket_logged(requester=bogdan, title="Outlook offline"),
        ticket_logged(requester=bogdan, title="Cannot send"),
    ]
    return agent, p1, reports


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_declare_roles_update_resolve_review(person, outage, lang):
    agent, p1, reports = outage
    agent.language = lang
    agent.save()
    desk = person(agent, lang=lang)
    found = {}

    def check(name):
        desk.page.reload()  # without the message of the step just taken
        found[name] = page_problems(desk)

    # Declare from the P1's page: the form is open for a P1.
    desk.go(f"/desk/tickets/{p1.number}/")
    panel = desk.page.locator("#major-panel")
    panel.get_by_label(desk.t("Bridge phone number")).fill("+40 21 555 0100")
    panel.get_by_label(desk.t("Bridge video link")).fill("https://meet.example.org/mail")
    desk.submit(panel.get_by_role("button", name=desk.t("Declare a major incident")))
    major = MajorIncident.objects.get()
    assert desk.page.url.endswith(f"/desk/major/{major.pk}/")
    assert "+40 21 555 0100" in desk.page.locator("#bridge").inner_text()

    # Roles.
    for role in ("commander", "communications", "scribe"):
        roles = desk.page.locator("#roles")
        roles.get_by_label(desk.t("Role")).select_option(role)
        roles.get_by_label(desk.t("Person")).select_option(label="Radu Stan")
        desk.submit(roles.get_by_role("button", name=desk.t("Assign the role")))
    roles_text = desk.page.locator("#roles").inner_text()
    for label in ("Incident commander", "Communications lead", "Scribe"):
        assert desk.t(label) in roles_text

    # Link the users' tickets, several at once.
    linked = desk.page.locator("#linked")
    linked.get_by_label(desk.t("Ticket numbers")).fill(", ".join(t.number for t in reports))
    desk.submit(linked.get_by_role("button", name=desk.t("Link the tickets")))
    assert all(t.number in desk.page.locator("#linked").inner_text() for t in reports)

    # A public update: each of the two requesters once.
    mail.outbox.clear()
    updates = desk.page.locator("#updates")
    updates.get_by_label(desk.t("Public update")).fill("The mail server is being restarted.")
    desk.submit(updates.get_by_role("button", name=desk.t("Send the public update")))
    assert "The mail server is being restarted." in desk.page.locator("#updates").inner_text()
    check("major incident")
    desk.shot("major-incident")

    # The ticket page shows the bridge.
    desk.go(f"/desk/tickets/{p1.number}/")
    assert "+40 21 555 0100" in desk.page.locator("#major-panel").inner_text()
    check("ticket page")
    desk.go(f"/desk/major/{major.pk}/")

    # Resolve: the linked tickets too; the review opens.
    resolve = desk.page.locator("#resolve")
    resolve.get_by_label(desk.t("Resolution"), exact=True).select_option("solved_permanently")
    resolve.get_by_label(desk.t("Resolution notes")).fill("Replaced the failed disk.")
    desk.submit(resolve.get_by_role("button", name=desk.t("Resolve"), exact=True))
    assert desk.page.url.endswith(f"/desk/major/{major.pk}/review/")
    assert set(Ticket.objects.filter(parent=p1).values_list("status", flat=True)) == {
        Status.RESOLVED
    }
    assert desk.t("Time to detect").lower() in desk.page.locator("#times").inner_text().lower()

    analysis = desk.page.locator("#analysis")
    analysis.get_by_label(desk.t("Root cause")).fill("A disk failed in the mail array.")
    desk.submit(analysis.get_by_role("button", name=desk.t("Save the review")))
    items = desk.page.locator("#items")
    items.get_by_label(desk.t("Action item"), exact=True).fill("Alert on disk health")
    items.get_by_label(desk.t("Owner")).select_option(label="Radu Stan")
    items.get_by_label(desk.t("Due date")).fill("2030-01-31")
    desk.submit(items.get_by_role("button", name=desk.t("Add the action item")))
    assert "Alert on disk health" in desk.page.locator("#items").inner_text()
    check("review")
    desk.shot("major-review")

    desk.go("/desk/major/reviews/")
    assert p1.number in desk.page.locator("main").inner_text()
    check("reviews")
    desk.go("/desk/major/")
    check("major incidents")
    assert {name: v for name, v in found.items() if v} == {}
