"""One incident's whole life through the REST API, read back from its timeline, tiers and mail."""

from datetime import UTC, datetime, timedelta

import time_machine

from tests.tickets.api_steps import RESOLVE, act, ok

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def _minute(stamp: str) -> float:
    return (datetime.fromisoformat(stamp) - START).total_seconds() / 60


def test_incident_from_logging_through_three_tiers_to_closure(desk, api_for, deliver_outbox):
    requester = api_for(desk.requester)
    l1, l2, l3 = api_for(desk.l1_agent), api_for(desk.l2_agent), api_for(desk.l3_agent)
    since_when, webmail = desk.questions

    with time_machine.travel(START, tick=False) as clock:
        created = ok(
            requester.post(
                "/api/tickets/",
                {"title": "Outlook will not start", "symptoms": "Crashes at the splash screen"},
                format="json",
            ),
            201,
        )
        number = created["number"]
        assert created["status"] == "new"
        assert created["assignment_group"]["name"] == "Service Desk"
        assert created["tier"] == 1
        assert created["priority"] == 3
        assert created["channel"] == "api"
        assert created["requester"]["name"] == "Ana Marin"

        clock.move_to(_at(10))
        started = act(l1, number, "start")
        assert ok(started)["status"] == "in_progress"
        assert started.json()["assignee"]["name"] == "Lena Ionescu"

        clock.move_to(_at(12))
        changed = ok(
            l1.patch(
                f"/api/tickets/{number}/",
                {"category": desk.category.pk, "impact": "high", "urgency": "medium"},
                format="json",
                HTTP_IF_MATCH=started["ETag"],
            )
        )
        assert changed["category"] == {"id": desk.category.pk, "path": "Email"}
        assert (changed["impact"], changed["urgency"], changed["priority"]) == ("high", "medium", 2)

        clock.move_to(_at(15))
        ok(
            act(
                l1,
                number,
                "diagnosis",
                {"answers": {str(since_when.pk): "Since Monday morning", str(webmail.pk): "yes"}},
            )
        )

        clock.move_to(_at(20))
        ok(
            l1.post(
                f"/api/tickets/{number}/comments/",
                {"body": "We are looking into it."},
                format="json",
            ),
            201,
        )

        clock.move_to(_at(30))
        escalated = ok(
            act(l1, number, "escalate", {"to_group": desk.l2.pk, "reason": "Profile damage"})
        )
        assert escalated["status"] == "new"
        assert (escalated["assignment_group"]["name"], escalated["tier"]) == ("Applications", 2)
        assert escalated["assignee"] is None

        clock.move_to(_at(45))
        assert ok(act(l2, number, "start"))["assignee"]["name"] == "Mihai Popa"

        clock.move_to(_at(50))
        held = ok(
            act(
                l2,
                number,
                "hold",
                {"reason": "awaiting_caller", "note": "Which workstation do you use?"},
            )
        )
        assert (held["status"], held["hold_reason"]) == ("on_hold", "awaiting_caller")

        clock.move_to(_at(90))
        reply = ok(
            requester.post(
                f"/api/tickets/{number}/comments/", {"body": "It is WS-0420."}, format="json"
            ),
            201,
        )
        assert reply["actor"]["name"] == "Ana Marin"
        after_reply = ok(requester.get(f"/api/tickets/{number}/"))
        assert (after_reply["status"], after_reply["hold_reason"]) == ("in_progress", "")

        clock.move_to(_at(100))
        escalated = ok(
            act(l2, number, "escalate", {"to_group": desk.l3.pk, "reason": "Mailbox store damage"})
        )
        assert (escalated["assignment_group"]["name"], escalated["tier"]) == ("Engineering", 3)

        clock.move_to(_at(160))
        resolved = ok(act(l3, number, "resolve", RESOLVE))
        assert resolved["status"] == "resolved"
        assert resolved["service_restored"] is True

        clock.move_to(_at(200))
        closed = ok(act(requester, number, "confirm"))
        assert closed["status"] == "closed"
        assert closed["actions"] == ["rate"]  # closed: all that is left is to rate it

        mail = deliver_outbox()

    detail = ok(l1.get(f"/api/tickets/{number}/"))
    assert _minute(detail["first_response_at"]) == 20
    assert _minute(detail["assigned_at"]) == 10
    assert _minute(detail["resolved_at"]) == 160
    assert _minute(detail["closed_at"]) == 200
    assert (detail["resolution_code"], detail["resolution_notes"]) == (
        "solved_permanently",
        "Mail profile rebuilt.",
    )

    timeline = ok(l1.get(f"/api/tickets/{number}/timeline/"))
    steps = [
        (
            _minute(event["created_at"]),
            event["type"],
            event["actor"]["name"] if event["actor"] else None,
            event["data"].get("action") or event["data"].get("topic") or event["body"],
        )
        for event in timeline
    ]
    assert steps == [
        (0, "created", "Ana Marin", ""),
        (0, "email", None, "ticket.logged"),
        (10, "status", "Lena Ionescu", "start"),
        (12, "changed", "Lena Ionescu", ""),
        (15, "diagnosis", "Lena Ionescu", ""),
        (20, "comment", "Lena Ionescu", "We are looking into it."),
        (20, "email", None, "ticket.reply"),
        (30, "escalated", "Lena Ionescu", ""),
        (45, "status", "Mihai Popa", "start"),
        (50, "status", "Mihai Popa", "hold"),
        (50, "comment", "Mihai Popa", "Which workstation do you use?"),
        (50, "email", None, "ticket.awaiting_caller"),
        (90, "comment", "Ana Marin", "It is WS-0420."),
        (90, "status", "Ana Marin", "requester_reply"),
        (100, "escalated", "Mihai Popa", ""),
        (160, "status", "Radu Stan", "resolve"),
        (160, "email", None, "ticket.resolved"),
        (200, "status", "Ana Marin", "confirm"),
        (200, "email", None, "ticket.closed"),
    ]
    by_type = {}
    for event in timeline:
        by_type.setdefault(event["type"], []).append(event["data"])
    assert by_type["changed"][0]["changes"] == [
        {"field": "category", "from": None, "to": "Email"},
        {"field": "impact", "from": "medium", "to": "high"},
        {"field": "priority", "from": 3, "to": 2},
    ]
    assert by_type["diagnosis"][0]["answers"] == [
        {"question": "Since when?", "from": None, "to": "Since Monday morning"},
        {"question": "Does webmail work?", "from": None, "to": "yes"},
    ]
    assert [(e["reason"], e["from_tier"], e["to_tier"]) for e in by_type["escalated"]] == [
        ("Profile damage", 1, 2),
        ("Mailbox store damage", 2, 3),
    ]
    assert [e["changes"][0]["to"] for e in by_type["status"]] == [
        "in_progress",
        "in_progress",
        "on_hold",
        "in_progress",
        "resolved",
        "closed",
    ]
    # An escalation's own row says where the ticket went and that it waits there, New.
    assert [e["changes"][1] for e in by_type["escalated"]] == [
        {"field": "status", "from": "in_progress", "to": "new"},
        {"field": "status", "from": "in_progress", "to": "new"},
    ]

    # The requester reads the same story without the desk's internal rows.
    theirs = ok(requester.get(f"/api/tickets/{number}/timeline/"))
    assert [e["id"] for e in theirs] == [
        e["id"] for e in timeline if e["type"] not in {"changed", "diagnosis", "email"}
    ]
    assert all(e["is_public"] for e in theirs)

    tiers = ok(l1.get(f"/api/tickets/{number}/tiers/"))
    assert tiers["reassignment_count"] == 2
    assert tiers["escalation_count"] == 2
    assert tiers["seconds_per_tier"] == {"L1": 30 * 60.0, "L2": 70 * 60.0, "L3": 60 * 60.0}
    assert [
        (s["group"], s["tier"], _minute(s["started_at"]), _minute(s["ended_at"]), s["seconds"])
        for s in tiers["stints"]
    ] == [
        ("Service Desk", 1, 0, 30, 1800.0),
        ("Applications", 2, 30, 100, 4200.0),
        ("Engineering", 3, 100, 160, 3600.0),
    ]

    assert [m.to for m in mail] == [["ana@example.test"]] * 5
    subjects = [m.subject for m in mail]
    assert subjects == [
        f"[{number}] We have logged your report: Outlook will not start",
        f"[{number}] New reply: Outlook will not start",
        f"[{number}] We need your answer to continue",
        f"[{number}] Resolved: Outlook will not start",
        f"[{number}] Closed: Outlook will not start",
    ]
    logged, replied, awaiting, resolved_mail, closed_mail = (m.body for m in mail)
    assert f"logged with the number {number}" in logged
    assert "Lena Ionescu replied" in replied and "We are looking into it." in replied
    assert "Which workstation do you use?" in awaiting
    assert "Mail profile rebuilt." in resolved_mail
    assert f"/tickets/{number}/confirm/" in resolved_mail
    assert f"/tickets/{number}/reopen/" in resolved_mail
    assert "within 7 days" in resolved_mail
    assert f"Ticket {number} is now closed" in closed_mail


def test_a_question_to_the_caller_when_putting_on_hold_is_the_first_response(desk, api_for):
    number = ok(
        api_for(desk.requester).post("/api/tickets/", {"title": "No sound"}, format="json"), 201
    )["number"]
    l1 = api_for(desk.l1_agent)
    with time_machine.travel(START, tick=False) as clock:
        ok(act(l1, number, "start"))
        clock.move_to(_at(5))
        ok(act(l1, number, "hold", {"reason": "awaiting_caller", "note": "Which headset?"}))
    detail = ok(l1.get(f"/api/tickets/{number}/"))
    assert _minute(detail["first_response_at"]) == 5
