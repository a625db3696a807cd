"""The seed path, through the UI alone, in English and in Romanian.

A requester reports an incident in the portal → an L1 agent finds it in the unassigned queue,
categorises it, answers the diagnostic questions, sets impact and urgency, escalates to L2 → an
L2 agent puts it on hold awaiting the caller → the requester replies in the portal → L2 resolves
with service restored → the requester confirms and rates it → the ticket shows Closed with its
whole timeline.
"""

import re
from dataclasses import dataclass

import pytest

from servicedesk.accounts.models import Role
from servicedesk.tickets import services
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory
from tests.e2e.conftest import PHONE, english_left
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@dataclass(frozen=True)
class Words:
    """What the people of the story type, in the language of the run."""

    category: str
    since: str
    webmail: str
    title: str
    description: str
    reason: str
    question: str
    answer: str
    notes: str


WORDS = {
    "en": Words(
        category="Email",
        since="Since when?",
        webmail="Does webmail work?",
        title="Outlook will not open my mailbox",
        description="Since this morning Outlook stops at 'Loading profile'.",
        reason="Profile corruption suspected; needs the mail team",
        question="Which laptop model do you use?",
        answer="A Dell Latitude 7440",
        notes="Rebuilt the Outlook profile and cleared the OST cache.",
    ),
    "ro": Words(
        category="Poștă electronică",
        since="De când?",
        webmail="Funcționează webmailul?",
        title="Outlook nu îmi deschide căsuța poștală",
        description="De azi-dimineață Outlook se oprește la „Se încarcă profilul”.",
        reason="Profil probabil corupt; e nevoie de echipa de e-mail",
        question="Ce model de laptop folosiți?",
        answer="Un Dell Latitude 7440",
        notes="Am refăcut profilul Outlook și am golit memoria OST.",
    ),
}


def _desk(lang: str):
    agents_language = "ro" if lang == "ro" else "en"
    l1_agent = AgentFactory(
        username="lena.l1", first_name="Lena", last_name="Ionescu", language=agents_language
    )
    l2_agent = AgentFactory(
        username="mihai.l2", first_name="Mihai", last_name="Popa", language=agents_language
    )
    manager = UserFactory(username="maria.mgr", role=Role.MANAGER, first_name="Maria")
    SupportGroupFactory(name="Service Desk", tier=1, manager=manager, members=[l1_agent])
    l2 = SupportGroupFactory(name="Applications", tier=2, manager=manager, members=[l2_agent])
    words = WORDS[lang]
    category = CategoryFactory(name=words.category, default_group=None)
    DiagnosticQuestionFactory(category=category, text=words.since, position=1)
    DiagnosticQuestionFactory(
        category=category, text=words.webmail, answer_type="yes_no", position=2
    )
    # The requester starts in English; in the Romanian run they switch with the switcher.
    requester = UserFactory(username="ana", first_name="Ana", last_name="Marin", language="en")
    return requester, l1_agent, l2_agent, l2, category


OTHER_TICKETS = {
    "en": [
        ("VPN drops every few minutes at the Cluj office", "high", "high"),
        ("Printer on the 3rd floor jams on every page", "low", "medium"),
        ("New starter needs a laptop and an account", "medium", "low"),
        ("Payroll export fails with a timeout", "high", "medium"),
        ("Teams calls have no sound in meeting room B", "medium", "medium"),
    ],
    "ro": [
        ("VPN-ul se întrerupe la câteva minute la biroul din Cluj", "high", "high"),
        ("Imprimanta de la etajul 3 se blochează la fiecare pagină", "low", "medium"),
        ("Un coleg nou are nevoie de laptop și de cont", "medium", "low"),
        ("Exportul de salarii eșuează cu timeout", "high", "medium"),
        ("Apelurile Teams nu au sunet în sala de ședințe B", "medium", "medium"),
    ],
}


def _other_tickets(lang, requester, l1_agent, l2_group) -> None:
    """A desk with some work already in it, so the queue reads like a real one."""
    logged = [
        ticket_logged(requester=requester, title=title, impact=impact, urgency=urgency)
        for title, impact, urgency in OTHER_TICKETS[lang]
    ]
    services.ticket_assign(ticket=logged[1], actor=l1_agent, assignee=l1_agent)
    services.ticket_start(ticket=logged[3], actor=l1_agent)
    services.ticket_hold(ticket=logged[3], actor=l1_agent, reason="awaiting_vendor")
    services.ticket_escalate(
        ticket=logged[4], actor=l1_agent, to_group=l2_group, reason="Audio drivers"
    )


def _no_english(someone, where: str) -> None:
    if someone.lang == "ro":
        left = english_left(someone.page)
        assert not left, f"English left on {where}: {left}"


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_seed_path(person, lang):
    requester_user, l1_user, l2_user, l2_group, category = _desk(lang)
    words = WORDS[lang]

    # --- The requester reports an incident in the portal (on a phone-sized screen).
    ana = person(requester_user, lang=lang, viewport=PHONE)
    page = ana.page
    if lang == "ro":
        ana.submit(page.get_by_role("button", name="Română"))
    greeting = ana.t("Hello, %(name)s") % {"name": "Ana"}
    assert page.get_by_role("heading", level=1).inner_text() == greeting
    _no_english(ana, "the portal home")
    page.get_by_role("link", name=ana.t("Report a problem")).first.click()
    page.get_by_label(ana.t("Something is broken or not working")).check()
    page.get_by_label(ana.t("What is it about?")).select_option(label=words.category)
    page.get_by_label(ana.t("In a few words")).fill(words.title)
    page.get_by_label(ana.t("Tell us more")).fill(words.description)
    _no_english(ana, "the report form")
    ana.shot("portal-report")
    page.get_by_role("button", name=ana.t("Send to the service desk")).click()
    page.wait_for_url(re.compile(r"/tickets/INC\d+/$"))
    number = page.locator(".ticket-number").inner_text().strip()
    assert page.get_by_text(ana.t("Received — the service desk will look at it soon")).count()
    _no_english(ana, "the portal ticket page")

    _other_tickets(
        lang, UserFactory(username="radu", first_name="Radu", last_name="Stan"), l1_user, l2_group
    )

    # --- L1 finds it in the unassigned queue.
    lena = person(l1_user, lang=lang)
    page = lena.page
    assert page.url.endswith("/desk/")
    page.get_by_role("link", name=re.compile(rf"^{lena.t('Unassigned')}")).click()
    row = page.locator("#queue-rows tr", has_text=number)
    assert row.count() == 1
    assert lena.t("P3 – moderate") in row.inner_text()
    _no_english(lena, "the unassigned queue")
    lena.shot("queue")
    row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{number}/$"))

    # The SLA clocks of the default policies (from a data migration) are running.
    assert page.locator(".clock").count() == 2

    # Categorise (already chosen by the requester: keep it), set impact and urgency.
    page.get_by_role("link", name=lena.t("Edit details")).click()
    form = page.locator("#action-form")
    form.get_by_label(lena.t("Impact")).select_option("high")
    form.get_by_label(lena.t("Urgency")).select_option("medium")
    form.get_by_label(lena.t("Category")).select_option(label=words.category)
    lena.submit(form.get_by_role("button", name=lena.t("Edit details")))
    assert lena.t("P2 – high") in page.locator(".ticket-head").inner_text()

    # Answer the diagnostic questions.
    page.get_by_role("link", name=lena.t("Diagnosis")).click()
    form = page.locator("#action-form")
    form.get_by_label(words.since).fill(words.description[:40])
    form.get_by_label(words.webmail).select_option("yes")
    lena.submit(form.get_by_role("button", name=lena.t("Diagnosis")))
    assert lena.t("Yes") in page.locator("#diagnosis-title + dl").inner_text()
    _no_english(lena, "the ticket page at L1")

    # Escalate to L2 with a reason.
    page.get_by_role("link", name=lena.t("Escalate"), exact=True).click()
    form = page.locator("#action-form")
    form.get_by_label(lena.t("To group")).select_option(label="Applications (L2)")
    form.get_by_label(lena.t("Reason")).fill(words.reason)
    lena.submit(form.get_by_role("button", name=lena.t("Escalate")))
    assert "Applications" in page.locator("#details-title + dl").inner_text()

    # --- L2 puts it on hold awaiting the caller.
    mihai = person(l2_user, lang=lang)
    page = mihai.page
    page.get_by_role("link", name=re.compile(rf"^{mihai.t('My groups')}")).click()
    page.locator("#queue-rows tr", has_text=number).get_by_role("link", name=number).click()
    # Escalated, it waits New in the L2 queue: the L2 agent takes it first.
    page.get_by_role("button", name=mihai.t("Start work")).click()
    page.get_by_role("link", name=mihai.t("Put on hold")).wait_for()
    page.get_by_role("link", name=mihai.t("Put on hold")).click()
    form = page.locator("#action-form")
    form.get_by_label(mihai.t("Waiting for")).select_option("awaiting_caller")
    form.get_by_label(mihai.t("Message to the requester")).fill(words.question)
    mihai.shot("ticket")
    mihai.submit(form.get_by_role("button", name=mihai.t("Put on hold")))
    assert mihai.t("On hold") in page.locator(".ticket-head").inner_text()
    _no_english(mihai, "the ticket page at L2")

    # --- The requester replies in the portal.
    page = ana.go("/")
    card = page.locator(".ticket-card", has_text=number)
    assert ana.t("Waiting for your reply") in card.inner_text()
    ana.shot("portal-home")
    card.click()
    assert page.get_by_text(words.question).count() == 1
    page.get_by_label(ana.t("Your message")).fill(words.answer)
    ana.submit(page.get_by_role("button", name=ana.t("Send"), exact=True))
    assert ana.t("Being worked on") in page.locator(".ticket-head").inner_text()
    _no_english(ana, "the portal ticket page after the reply")

    # --- L2 resolves with service restored.
    page = mihai.go(f"/desk/tickets/{number}/")
    assert page.get_by_text(words.answer).count() == 1
    page.get_by_role("link", name=mihai.t("Resolve")).click()
    form = page.locator("#action-form")
    form.get_by_label(mihai.t("Resolution")).select_option("solved_permanently")
    form.get_by_label(mihai.t("What was done")).fill(words.notes)
    form.get_by_label(mihai.t("The service is restored for the requester")).check()
    mihai.submit(form.get_by_role("button", name=mihai.t("Resolve")))
    assert mihai.t("Resolved") in page.locator(".ticket-head").inner_text()

    # --- The requester confirms.
    page = ana.go(f"/tickets/{number}/")
    assert page.get_by_text(words.notes).count() >= 1
    ana.submit(page.get_by_role("button", name=ana.t("Yes, it is solved")))
    # Closed: the desk asks how it did, once.
    assert ana.t("How did we do?") in page.locator("h1").inner_text()
    _no_english(ana, "the rating page")
    page.get_by_label("4", exact=True).check()
    ana.submit(page.get_by_role("button", name=ana.t("Send my rating")))
    assert ana.t("Closed") in page.locator(".ticket-head").inner_text()
    _no_english(ana, "the closed ticket in the portal")
    # The history tells the story in the requester's words, without the desk's statuses.
    said = page.locator("#history .what").all_inner_texts()
    for step in ("We received your request", "We need your answer", "You wrote", "Closed"):
        assert ana.t(step) in said, step
    assert ana.t("Resolved — please confirm") in said
    for jargon in ("In progress", "Assigned", "On hold", "Awaiting caller", "Status"):
        assert ana.t(jargon) not in " ".join(said), jargon
    assert said.count(ana.t("Someone is working on it")) <= 2
    ana.shot("portal-ticket")

    # --- Closed, with the whole timeline.
    page = mihai.go(f"/desk/tickets/{number}/")
    assert mihai.t("Closed") in page.locator(".ticket-head").inner_text()
    timeline = page.locator("#timeline").inner_text()
    for label in ("Logged", "Changed", "Diagnosis", "Escalated", "Status changed", "Email sent"):
        assert mihai.t(label) in timeline, label
    assert mihai.t("Reply") in timeline
    for text in (words.reason, words.question, words.answer, words.description[:40]):
        assert text in timeline
    assert mihai.t("Confirm resolution") in timeline
    _no_english(mihai, "the closed ticket in the console")
    mihai.shot("ticket-closed")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_log_a_phone_call(person, lang):
    requester_user, l1_user, _l2_user, _l2, category = _desk(lang)
    words = WORDS[lang]
    lena = person(l1_user, lang=lang)
    page = lena.go("/desk/log/")
    page.get_by_label(lena.t("Find the caller")).fill("ana mar")
    caller = page.get_by_label(re.compile("Ana Marin"))
    caller.check()
    page.get_by_label(lena.t("Title"), exact=True).fill(words.title)
    page.get_by_label(lena.t("Category")).select_option(label=words.category)
    page.get_by_label(words.since).fill(words.description[:40])
    page.get_by_label(lena.t("Impact")).select_option("high")
    page.get_by_label(lena.t("Urgency")).select_option("high")
    page.locator("#priority-preview").get_by_text(lena.t("P1 – critical")).wait_for()
    _no_english(lena, "the phone-logging form")
    lena.shot("log-call")
    page.get_by_role("button", name=lena.t("Log the call")).click()
    page.wait_for_url(re.compile(r"/desk/tickets/INC\d+/$"))
    head = page.locator(".ticket-head").inner_text()
    assert lena.t("P1 – critical") in head
    assert lena.t("Phone") in page.locator("#details-title + dl").inner_text()
    assert words.description[:40] in page.locator("#diagnosis-title + dl").inner_text()
