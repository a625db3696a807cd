"""The console and the portal, through Django's test client: what a person gets back."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, SavedView, Ticket
from tests.tickets.factories import ticket_logged

# Session, user, the person's groups, one statement for all the counts, the page of rows, saved
# views, and the forms' choice lists (cached after the first page); whatever the number of rows.
QUEUE_MAX_QUERIES = 10
# The ticket page: one more for each panel an app registers (alerts, status page, surge,
# sessions).
TICKET_PAGE_MAX_QUERIES = 22
PORTAL_PAGE_MAX_QUERIES = 10


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def agent(client, desk):
    client.force_login(desk.l1_agent)
    return client


@pytest.fixture
def requester(client, desk):
    client.force_login(desk.requester)
    return client


# ---------------------------------------------------------------------------------------------
# Queues


@pytest.mark.parametrize(
    "queue",
    [
        "mine",
        "groups",
        "unassigned",
        "tier1",
        "tier2",
        "tier3",
        "open",
        "recent",
        "breaching",
        "breached",
    ],
)
def test_every_queue_answers_with_a_bounded_number_of_queries(
    agent, desk, queue, django_assert_max_num_queries
):
    for n in range(30):
        ticket_logged(requester=desk.requester, title=f"Printer {n} jams")
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        response = agent.get(f"/desk/?queue={queue}")
    assert response.status_code == 200


def test_queue_queries_do_not_grow_with_its_rows(agent, desk, django_assert_max_num_queries):
    ticket_logged(requester=desk.requester, title="One")
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES) as few:
        agent.get("/desk/?queue=open")
    for n in range(40):
        ticket_logged(requester=desk.other_requester, title=f"Many {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = agent.get("/desk/?queue=open")
    assert _text(response).count('name="tickets"') == 40 + 1


def test_queue_rows_show_what_an_agent_needs(agent, desk):
    ticket = ticket_logged(requester=desk.requester, title="Outlook will not start")
    page = _text(agent.get("/desk/?queue=unassigned"))
    assert ticket.number in page
    assert "Outlook will not start" in page
    assert "Ana Marin" in page
    assert "P3 – moderate" in page  # priority as words, not colour alone
    assert "New" in page
    assert "Service Desk" in page
    assert "nobody yet" in page


def test_queue_counts_per_queue(agent, desk):
    ticket_logged(requester=desk.requester)
    mine = ticket_logged(requester=desk.requester)
    services.ticket_assign(ticket=mine, actor=desk.l1_agent, assignee=desk.l1_agent)
    page = _text(agent.get("/desk/?queue=open"))
    assert re.search(r"My tickets</span><span class=\"count\">1<", page)
    assert re.search(r"Unassigned</span><span class=\"count\">1<", page)
    assert re.search(r"All open</span><span class=\"count\">2<", page)


def test_htmx_refresh_renders_only_the_rows_and_the_counts(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.get("/desk/?queue=open", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
    body = response.content.decode()
    assert "<html" not in body
    assert ticket.number in body
    assert 'id="queue-counts"' in body and 'hx-swap-oob="true"' in body


def test_the_filters_load_when_first_opened(agent, desk):
    page = agent.get("/desk/?queue=open").content.decode()
    assert 'name="category"' not in page and "Show the filters" in page
    assert 'hx-trigger="toggle once"' in page
    panel = agent.get(
        "/desk/?queue=open&filters=1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="filter-fields"
    ).content.decode()
    assert "<html" not in panel and 'name="category"' in panel and "Email" in panel
    opened = agent.get("/desk/?queue=open&filters=1").content.decode()
    assert 'name="category"' in opened
    filtered = agent.get(f"/desk/?queue=open&category={desk.category.pk}").content.decode()
    assert 'name="category"' in filtered  # active filters are shown


def test_the_queue_polls_its_rows(agent, desk):
    page = agent.get("/desk/?queue=open").content.decode()
    assert 'id="queue-rows"' in page
    assert 'hx-trigger="every 30s' in page


def test_search_filter_and_sort(agent, desk):
    vpn = ticket_logged(requester=desk.requester, title="VPN drops every hour", impact="high")
    ticket_logged(requester=desk.other_requester, title="Printer jams", impact="low")
    assert vpn.number in _text(agent.get("/desk/?queue=open&q=vpn"))
    assert "Printer jams" not in _text(agent.get("/desk/?queue=open&q=vpn"))
    by_number = _text(agent.get(f"/desk/?queue=open&q={vpn.number.lower()}"))
    assert "VPN drops" in by_number and "Printer jams" not in by_number
    high = _text(agent.get(f"/desk/?queue=open&priority={vpn.priority}"))
    assert "VPN drops" in high and "Printer jams" not in high
    by_requester = _text(agent.get("/desk/?queue=open&requester=bogdan"))
    assert "Printer jams" in by_requester and "VPN drops" not in by_requester
    nobody = _text(agent.get("/desk/?queue=open&requester=zzzz"))
    assert "No tickets here" in nobody
    newest = _text(agent.get("/desk/?queue=open&sort=newest"))
    assert newest.index("Printer jams") < newest.index("VPN drops")
    oldest = _text(agent.get("/desk/?queue=open&sort=oldest"))
    assert oldest.index("VPN drops") < oldest.index("Printer jams")


@pytest.mark.parametrize(
    ("queue", "shown"), [("breaching", "due"), ("recent", "updated"), ("open", "priority")]
)
def test_the_sort_box_shows_the_order_the_queue_uses(agent, desk, queue, shown):
    html = agent.get(f"/desk/?queue={queue}").content.decode()
    select = re.search(r'<select name="sort".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\w+)" selected>', select) == [shown]
    # "Due soonest" is offered only where rows have a due time to sort by.
    assert ('value="due"' in select) == (queue == "breaching")


def _due_passed(ticket, *, breached: bool) -> None:
    """The ticket's first-response clock past its due time, marked breached by the sweep or not."""
    clock = ticket.sla_clocks.get(metric="response")
    clock.due_at = timezone.now() - timedelta(minutes=5)
    clock.breached_at = clock.due_at if breached else None
    clock.save(update_fields=["due_at", "breached_at"])


def test_a_row_past_its_sla_due_time_says_breached(agent, desk):
    late = ticket_logged(requester=desk.requester, title="Past due, not swept yet")
    _due_passed(late, breached=False)
    soon = ticket_logged(requester=desk.requester, title="Due within the hour")
    clock = soon.sla_clocks.get(metric="response")
    clock.due_at = timezone.now() + timedelta(minutes=50)
    clock.save(update_fields=["due_at"])
    swept = ticket_logged(requester=desk.requester, title="Past due and swept")
    _due_passed(swept, breached=True)

    def row(page: str, number: str) -> str:
        return re.search(rf"<tr>(?:(?!</tr>).)*{number}(?:(?!</tr>).)*</tr>", page).group(0)

    breaching = _text(agent.get("/desk/?queue=breaching"))
    assert 'class="late-text">breached</strong>' in row(breaching, late.number)
    assert "breached" not in row(breaching, soon.number)
    assert "due " in row(breaching, soon.number)
    breached = _text(agent.get("/desk/?queue=breached"))
    assert 'class="late-text">breached</strong>' in row(breached, swept.number)


def test_date_filters_use_calendar_days(agent, desk):
    ticket_logged(requester=desk.requester, title="Today's ticket")
    assert "Today" in _text(agent.get("/desk/?queue=open&created_after=2000-01-01"))
    assert "Today" not in _text(agent.get("/desk/?queue=open&created_before=2000-01-01"))


def test_keyset_pages_are_bounded_and_continue(agent, desk):
    for n in range(55):
        ticket_logged(requester=desk.requester, title=f"Row {n:02d}")
    first = agent.get("/desk/?queue=open&sort=oldest")
    assert _text(first).count('name="tickets"') == 50
    cursor = first.context["next_cursor"]
    assert cursor
    second = _text(agent.get(f"/desk/?queue=open&sort=oldest&cursor={cursor}"))
    assert second.count('name="tickets"') == 5
    assert "Row 54" in second and "Row 00" not in second


def test_saved_views(agent, desk):
    response = agent.post(
        "/desk/views/", {"name": "My P1s", "query": "queue=groups&priority=1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/desk/?queue=groups&priority=1"
    assert "My P1s" in _text(response)
    view = SavedView.objects.get(user=desk.l1_agent)
    agent.post(f"/desk/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def test_saved_views_belong_to_their_owner(client, desk):
    view = SavedView.objects.create(
        user=desk.l2_agent, name="Mine", query="queue=mine", created_at="2026-01-01T00:00Z"
    )
    client.force_login(desk.l1_agent)
    assert "Mine" not in _text(client.get("/desk/"))
    client.post(f"/desk/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_bulk_assign_reports_each_ticket_that_fails(agent, desk):
    at_l1 = ticket_logged(requester=desk.requester, title="At the desk")
    at_l2 = ticket_logged(requester=desk.requester, title="With applications")
    services.ticket_escalate(
        ticket=at_l2, actor=desk.l1_agent, to_group=desk.l2, reason="Specialists"
    )
    response = agent.post(
        "/desk/bulk/",
        {
            "action": "assign",
            "assignee": desk.l1_agent.pk,
            "tickets": [at_l1.number, at_l2.number, "INC9999999"],
            "next": "/desk/?queue=open",
        },
        follow=True,
    )
    page = _text(response)
    at_l1.refresh_from_db()
    assert at_l1.assignee == desk.l1_agent
    assert f"Done for 1 ticket(s): {at_l1.number}." in page
    assert f"{at_l2.number} was not changed" in page
    assert "INC9999999 was not changed: No such ticket." in page


def test_bulk_set_priority_through_impact_and_urgency(agent, desk):
    tickets = [ticket_logged(requester=desk.requester) for _ in range(3)]
    agent.post(
        "/desk/bulk/",
        {
            "action": "priority",
            "impact": "high",
            "urgency": "high",
            "tickets": [t.number for t in tickets],
        },
    )
    assert set(Ticket.objects.values_list("priority", flat=True)) == {1}


def test_bulk_change_group_refuses_another_tier(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.post(
        "/desk/bulk/",
        {"action": "group", "group": desk.l2.pk, "tickets": [ticket.number]},
        follow=True,
    )
    assert "another tier" in _text(response)
    ticket.refresh_from_db()
    assert ticket.assignment_group == desk.l1


def test_requesters_cannot_open_the_console(requester, desk):
    assert requester.get("/desk/").status_code == 403
    ticket = ticket_logged(requester=desk.requester)
    response = requester.get(f"/desk/tickets/{ticket.number}/")
    assert response.status_code == 302 and response.url == f"/tickets/{ticket.number}/"


# ---------------------------------------------------------------------------------------------
# The ticket page


def test_ticket_page_bounded_queries_whatever_the_timeline(
    agent, desk, django_assert_max_num_queries
):
    ticket = ticket_logged(requester=desk.requester, category=desk.category)
    with django_assert_max_num_queries(TICKET_PAGE_MAX_QUERIES) as few:
        agent.get(f"/desk/tickets/{ticket.number}/")
    for n in range(15):
        services.ticket_comment(
            ticket=ticket,
            actor=desk.l1_agent,
            body=f"note {n}",
            public=n % 2 == 0,
            files=[SimpleUploadedFile(f"log{n}.txt", b"x")],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = agent.get(f"/desk/tickets/{ticket.number}/")
    assert _text(response).count("note ") >= 15


def test_ticket_page_shows_fields_timeline_clocks_and_actions(agent, desk):
    ticket = ticket_logged(requester=desk.requester, title="Mail down", category=desk.category)
    services.ticket_comment(
        ticket=ticket, actor=desk.l1_agent, body="Checked the logs", public=False
    )
    page = _text(agent.get(f"/desk/tickets/{ticket.number}/"))
    for text in ("Mail down", "Ana Marin", "Self-service portal", "Email", "Timeline", "Logged"):
        assert text in page
    assert "Internal note — staff only" in page and "Checked the logs" in page
    assert "First response" in page and "Resolution" in page and "Ledger" in page
    assert "Since when?" in page and "not answered yet" in page
    assert "Service Desk (L1)" in page  # tier history
    for label in ("Start work", "Assign", "Escalate", "Resolve", "Cancel", "Edit details"):
        assert f">{label}<" in page
    assert ">Put on hold<" not in page  # not allowed from New
    assert ">Confirm resolution<" not in page  # the requester's


def test_actions_are_offered_only_to_who_works_the_ticket(client, desk):
    ticket = ticket_logged(requester=desk.requester)
    client.force_login(desk.l2_agent)
    page = _text(client.get(f"/desk/tickets/{ticket.number}/"))
    assert "No action is open to you on this ticket now." in page


def test_action_form_as_htmx_partial_and_as_page(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    partial = agent.get(f"/desk/tickets/{ticket.number}/do/escalate/", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'name="to_group"' in body and 'name="reason"' in body
    # Only higher tiers are offered.
    assert "Applications (L2)" in body and "Service Desk (L1)" not in body
    page = agent.get(f"/desk/tickets/{ticket.number}/do/escalate/")
    assert page.status_code == 302 and page.url.endswith("?do=escalate#action-panel")


def test_escalate_with_reason(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.post(
        f"/desk/tickets/{ticket.number}/do/escalate/",
        {"to_group": desk.l2.pk, "reason": "Needs the mail admins"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignment_group == desk.l2 and ticket.escalation_count == 1


def test_service_errors_appear_beside_their_field(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.post(
        f"/desk/tickets/{ticket.number}/do/escalate/",
        {"to_group": desk.l3.pk, "reason": "Straight to engineering"},
    )
    assert response.status_code == 400
    form = response.context["action_form"]
    assert form.errors["to_group"] == ["Only critical tickets (P1, P2) may skip a tier."]
    page = _text(response)
    assert 'id="id_to_group_error"' in page


def test_a_resolve_without_service_restored_is_refused_on_that_field(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    response = agent.post(
        f"/desk/tickets/{ticket.number}/do/resolve/",
        {"resolution_code": "solved_remotely", "resolution_notes": "Restarted"},
    )
    assert response.status_code == 400
    assert response.context["action_form"].errors["service_restored"]


def test_a_stale_edit_is_refused(agent, desk):
    ticket = ticket_logged(requester=desk.requester, title="Old title")
    stale_version = ticket.version
    services.ticket_update(ticket=ticket, actor=desk.l1_agent, title="Changed meanwhile")
    response = agent.post(
        f"/desk/tickets/{ticket.number}/do/edit/",
        {"title": "Mine", "impact": "medium", "urgency": "medium", "version": stale_version},
    )
    assert response.status_code == 412
    assert "changed by someone else" in _text(response)
    ticket.refresh_from_db()
    assert ticket.title == "Changed meanwhile"


def test_edit_categorise_and_set_impact_urgency(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.post(
        f"/desk/tickets/{ticket.number}/do/edit/",
        {
            "title": ticket.title,
            "category": desk.category.pk,
            "impact": "high",
            "urgency": "medium",
            "version": ticket.version,
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.category == desk.category and ticket.priority == 2


def test_diagnosis_form_records_answers(agent, desk):
    ticket = ticket_logged(requester=desk.requester, category=desk.category)
    since, webmail = desk.questions
    response = agent.post(
        f"/desk/tickets/{ticket.number}/do/diagnosis/",
        {f"q_{since.pk}": "This morning", f"q_{webmail.pk}": "no"},
    )
    assert response.status_code == 302
    assert dict(ticket.diagnosis.values_list("question_text", "answer")) == {
        "Since when?": "This morning",
        "Does webmail work?": "no",
    }


def test_cancel_as_duplicate_and_set_parent(agent, desk):
    first = ticket_logged(requester=desk.requester, title="First")
    second = ticket_logged(requester=desk.requester, title="Second")
    third = ticket_logged(requester=desk.requester, title="Third")
    response = agent.post(
        f"/desk/tickets/{second.number}/do/mark-duplicate/", {"of": first.number.lower()}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.duplicate_of == first and second.status == "cancelled"
    agent.post(f"/desk/tickets/{third.number}/do/set-parent/", {"parent": first.number})
    third.refresh_from_db()
    assert third.parent == first
    page = _text(agent.get(f"/desk/tickets/{first.number}/"))
    assert third.number in page and second.number in page
    missing = agent.post(f"/desk/tickets/{third.number}/do/set-parent/", {"parent": "INC0000001"})
    assert missing.context["action_form"].errors["parent"] == ["There is no ticket INC0000001."]


def test_reply_note_and_attachment_download(agent, client, desk):
    ticket = ticket_logged(requester=desk.requester)
    agent.post(
        f"/desk/tickets/{ticket.number}/comment/",
        {
            "visibility": "internal",
            "body": "Secret workaround",
            "files": [SimpleUploadedFile("trace.log", b"internal trace")],
        },
    )
    agent.post(
        f"/desk/tickets/{ticket.number}/comment/",
        {
            "visibility": "public",
            "body": "We are on it",
            "files": [SimpleUploadedFile("steps.txt", b"public steps")],
        },
    )
    internal, public = ticket.attachments.order_by("id")
    response = agent.get(f"/desk/tickets/{ticket.number}/attachments/{internal.pk}/")
    assert response["Content-Disposition"].startswith('attachment; filename="trace.log"')
    assert b"".join(response.streaming_content) == b"internal trace"

    client.force_login(desk.requester)
    page = _text(client.get(f"/tickets/{ticket.number}/"))
    assert "We are on it" in page and "steps.txt" in page
    assert "Secret workaround" not in page and "trace.log" not in page
    assert client.get(f"/tickets/{ticket.number}/attachments/{internal.pk}/").status_code == 404
    ok = client.get(f"/tickets/{ticket.number}/attachments/{public.pk}/")
    assert ok["Content-Disposition"].startswith("attachment;")


def test_an_empty_reply_is_refused_beside_the_message(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.post(f"/desk/tickets/{ticket.number}/comment/", {"visibility": "public"})
    assert response.status_code == 400
    assert response.context["comment_form"].errors["body"] == ["Write a message or attach a file."]


# ---------------------------------------------------------------------------------------------
# Logging a call


def test_log_a_call_for_a_new_caller_with_answers(agent, desk):
    since, webmail = desk.questions
    response = agent.post(
        "/desk/log/",
        {
            "caller_name": "Ioana Vasile",
            "caller_email": "ioana@example.test",
            "caller_phone": "+40 721 000 111",
            "kind": "incident",
            "title": "Cannot send mail",
            "category": desk.category.pk,
            "impact": "high",
            "urgency": "high",
            f"q_{since.pk}": "An hour ago",
            f"q_{webmail.pk}": "yes",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Cannot send mail")
    assert response.url == f"/desk/tickets/{ticket.number}/"
    assert ticket.channel == Channel.PHONE and ticket.priority == 1
    assert ticket.requester.email == "ioana@example.test"
    assert ticket.logged_by == desk.l1_agent
    assert ticket.diagnosis.count() == 2


def test_log_a_call_for_a_known_caller(agent, desk):
    response = agent.post(
        "/desk/log/",
        {
            "requester": desk.requester.pk,
            "kind": "request",
            "title": "New laptop",
            "impact": "low",
            "urgency": "low",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="New laptop")
    assert ticket.requester == desk.requester and ticket.number.startswith("REQ")


def test_log_a_call_is_all_or_nothing(agent, desk):
    since, _ = desk.questions
    before = User.objects.count()
    response = agent.post(
        "/desk/log/",
        {
            "caller_name": "New Person",
            "caller_email": "new.person@example.test",
            "kind": "incident",
            "title": "Broken",
            "category": desk.category.pk,
            "impact": "medium",
            "urgency": "medium",
            "assignment_group": desk.l2.pk,  # not the agent's: the answers cannot be recorded
            f"q_{since.pk}": "Yesterday",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["assignment_group"]
    assert User.objects.count() == before and not Ticket.objects.exists()


def test_log_a_call_needs_a_caller(agent, desk):
    response = agent.post(
        "/desk/log/", {"kind": "incident", "title": "x", "impact": "medium", "urgency": "medium"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["requester"] == [
        "Choose the caller or enter their details."
    ]


def test_log_htmx_partials(agent, desk):
    callers = agent.get("/desk/log/callers/?caller_q=ana mar", HTTP_HX_REQUEST="true")
    assert "Ana Marin" in callers.content.decode() and "<html" not in callers.content.decode()
    questions = agent.get(
        f"/desk/log/questions/?category={desk.category.pk}", HTTP_HX_REQUEST="true"
    )
    assert "Since when?" in questions.content.decode()
    priority = agent.get("/desk/log/priority/?impact=high&urgency=high", HTTP_HX_REQUEST="true")
    assert "P1 – critical" in priority.content.decode()
    found = _text(agent.post("/desk/log/", {"caller_q": "bogdan", "find": "1"}))
    assert "Bogdan Enache" in found


# ---------------------------------------------------------------------------------------------
# The portal


def test_portal_home_lists_my_tickets_in_plain_words(requester, desk):
    mine = ticket_logged(requester=desk.requester, title="My printer")
    ticket_logged(requester=desk.other_requester, title="Someone else's")
    page = _text(requester.get("/"))
    assert "My printer" in page and "Someone else" not in page
    assert "Received — the service desk will look at it soon" in page
    assert mine.number in page


@pytest.mark.parametrize(
    ("lang", "minutes", "words"),
    [
        ("en", 0, "Last change: just now"),
        ("en", 1, "Last change: 1 minute ago"),
        ("en", 5, "Last change: 5 minutes ago"),
        ("en", 3 * 60, "Last change: 3 hours ago"),
        ("en", 3 * 24 * 60, "Last change: 3 days ago"),
        ("ro", 0, "Ultima modificare: chiar acum"),
        ("ro", 1, "Ultima modificare: acum un minut"),
        ("ro", 5, "Ultima modificare: acum 5 minute"),
        ("ro", 20, "Ultima modificare: acum 20 de minute"),
        ("ro", 3 * 60, "Ultima modificare: acum 3 ore"),
        ("ro", 3 * 24 * 60, "Ultima modificare: acum 3 zile"),
    ],
)
def test_portal_cards_say_when_the_last_change_was_in_words(requester, desk, lang, minutes, words):
    desk.requester.language = lang
    desk.requester.save(update_fields=["language"])
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        ticket_logged(requester=desk.requester, title="My printer")
        clock.shift(timedelta(minutes=minutes, seconds=10))
        page = _text(requester.get("/"))
    assert words in page
    assert " ago ago" not in page and "acum acum" not in page and "now ago" not in page


def _history(response) -> list[str]:
    """What the portal's history says, line by line: each heading and what follows it."""
    section = _text(response).split('id="history"')[1].split("</section>")[0]
    lines = []
    for item in re.findall(r"<li class=\"ev-[a-z_]+\">(.*?)</li>", section):
        heading = re.search(r'<strong class="what">(.*?)</strong>', item).group(1)
        rest = re.sub(r"<time[^>]*>.*?</time>|<[^>]+>", " ", item.split("</strong>", 1)[1])
        lines.append(" ".join([heading, *rest.split()]).strip())
    return lines


def test_the_portal_history_tells_the_requester_the_story_in_plain_words(requester, desk):
    ticket = ticket_logged(requester=desk.requester, title="Printer")
    agent = desk.l1_agent
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    services.ticket_start(ticket=ticket, actor=agent)
    services.ticket_hold(ticket=ticket, actor=agent, reason="awaiting_caller", note="Which floor?")
    services.ticket_comment(ticket=ticket, actor=desk.requester, body="Third floor", public=True)
    services.ticket_comment(ticket=ticket, actor=agent, body="Looking at the logs", public=False)
    services.ticket_resolve(
        ticket=ticket,
        actor=agent,
        resolution_code="solved_remotely",
        resolution_notes="Cleared the queue",
        service_restored=True,
    )
    services.ticket_confirm(ticket=ticket, actor=desk.requester)

    history = _history(requester.get(f"/tickets/{ticket.number}/"))
    name = agent.display_name
    assert history == [
        "We received your request",
        "Someone is working on it",  # assigned, then started: one line
        "We need your answer",
        f"{name} wrote Which floor?",
        "You wrote Third floor",
        "Someone is working on it",
        "Resolved — please confirm",
        "Closed",
    ]
    said = " ".join(history)
    for jargon in ("Status", "In progress", "Assigned", "On hold", "Awaiting", "awaiting_caller"):
        assert jargon not in said
    assert "Looking at the logs" not in said  # an internal note


def test_the_portal_history_in_romanian(requester, desk):
    desk.requester.language = "ro"
    desk.requester.save(update_fields=["language"])
    ticket = ticket_logged(requester=desk.requester, title="Imprimanta")
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    services.ticket_hold(ticket=ticket, actor=desk.l1_agent, reason="awaiting_caller")
    history = _history(requester.get(f"/tickets/{ticket.number}/"))
    assert history == [
        "Am primit solicitarea dumneavoastră",
        "Cineva se ocupă de tichet",
        "Avem nevoie de răspunsul dumneavoastră",
    ]


def test_report_a_problem_with_a_file(requester, desk):
    response = requester.post(
        "/report/",
        {
            "kind": "incident",
            "category": desk.category.pk,
            "title": "Outlook keeps asking for my password",
            "description": "Since this morning.",
            "files": [SimpleUploadedFile("screen.png", b"png")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/tickets/{ticket.number}/"
    assert ticket.requester == desk.requester and ticket.channel == Channel.PORTAL
    assert ticket.attachments.get().original_name == "screen.png"


def test_report_needs_a_title(requester, desk):
    response = requester.post("/report/", {"kind": "incident", "title": ""})
    assert response.status_code == 400 and response.context["form"].errors["title"]


def test_another_requesters_ticket_is_a_404(client, desk):
    theirs = ticket_logged(requester=desk.other_requester)
    client.force_login(desk.requester)
    for url in (
        f"/tickets/{theirs.number}/",
        f"/tickets/{theirs.number}/confirm/",
        f"/tickets/{theirs.number}/reopen/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in _text(response)
    assert client.post(f"/tickets/{theirs.number}/reply/", {"body": "hi"}).status_code == 404


def test_requester_reply_to_a_ticket_awaiting_them_resumes_it(requester, desk):
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    services.ticket_hold(
        ticket=ticket, actor=desk.l1_agent, reason="awaiting_caller", note="Which floor?"
    )
    page = _text(requester.get(f"/tickets/{ticket.number}/"))
    assert "Waiting for your reply" in page and "Which floor?" in page
    response = requester.post(f"/tickets/{ticket.number}/reply/", {"body": "Third floor"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def _resolved(desk) -> Ticket:
    ticket = ticket_logged(requester=desk.requester)
    services.ticket_start(ticket=ticket, actor=desk.l1_agent)
    return services.ticket_resolve(
        ticket=ticket,
        actor=desk.l1_agent,
        resolution_code="solved_remotely",
        resolution_notes="Cleared the cache",
        service_restored=True,
    )


def test_confirm_the_resolution_from_the_email_link(requester, desk):
    ticket = _resolved(desk)
    page = _text(requester.get(f"/tickets/{ticket.number}/confirm/"))
    assert "Cleared the cache" in page and "Yes, it is solved" in page
    response = requester.post(f"/tickets/{ticket.number}/confirm/")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert "Closed" in _text(requester.get(f"/tickets/{ticket.number}/"))


def test_reopen_with_a_reason(requester, desk):
    ticket = _resolved(desk)
    refused = requester.post(f"/tickets/{ticket.number}/reopen/", {"reason": ""})
    assert refused.status_code == 400 and refused.context["form"].errors["reason"]
    response = requester.post(f"/tickets/{ticket.number}/reopen/", {"reason": "Still broken"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.reopen_count == 1


def test_withdraw(requester, desk):
    ticket = ticket_logged(requester=desk.requester)
    requester.post(f"/tickets/{ticket.number}/withdraw/", {"note": "Found it"})
    ticket.refresh_from_db()
    assert ticket.status == "cancelled" and ticket.cancel_reason == "withdrawn"


def test_staff_following_a_requester_link_land_on_the_console(agent, desk):
    ticket = ticket_logged(requester=desk.requester)
    response = agent.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 302 and response.url == f"/desk/tickets/{ticket.number}/"


def test_portal_ticket_page_bounded_queries(requester, desk, django_assert_max_num_queries):
    ticket = ticket_logged(requester=desk.requester)
    for n in range(10):
        services.ticket_comment(ticket=ticket, actor=desk.l1_agent, body=f"reply {n}")
    with django_assert_max_num_queries(PORTAL_PAGE_MAX_QUERIES):
        response = requester.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200


def test_edit_details_previews_the_priority_the_impact_and_urgency_give(desk, client):
    ticket = ticket_logged(requester=desk.requester, impact="low", urgency="low")
    client.force_login(desk.l1_agent)
    page = client.get(f"/desk/tickets/{ticket.number}/?do=edit").content.decode()
    assert 'id="priority-preview"' in page
    assert 'hx-get="/desk/log/priority/"' in page
    assert "P5" in page.split('id="priority-preview"')[1][:400]
    preview = client.get("/desk/log/priority/", {"impact": "high", "urgency": "high"})
    assert "P1" in preview.content.decode()
