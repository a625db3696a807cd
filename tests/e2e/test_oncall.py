"""On call in a real browser, in English and Romanian: the engineer on call sees the schedule and
has a colleague cover the night from the schedule's page; a P1 pages the colleague, who adds an
email address and a rule to be paged there and acknowledges the page from the console; a second P1's emailed
link acknowledges without a session and refuses a second click. No serious or critical axe
violation, no English left on the Romanian pages. An administrator writes an escalation policy,
and builds a schedule with a layer for weeknights and weekends and its people in turn."""

import re
from datetime import date, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from servicedesk.notifications.models import OutboxMessage
from servicedesk.oncall.models import (
    ContactMethod,
    Escalation,
    EscalationPolicy,
    NotificationRule,
    Page,
    Schedule,
    ScheduleOverride,
)
from servicedesk.tickets.services import ticket_log
from tests.accounts.factories import AgentFactory, SupportGroupFactory, UserFactory
from tests.e2e.conftest import page_problems
from tests.oncall.factories import layer_add, policy_create

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _p1(l3, requester, title):
    logger = AgentFactory()  # the service desk logs the call
    return ticket_log(
        actor=logger,
        requester=requester,
        title=title,
        impact="high",
        urgency="high",
        assignment_group=l3,
    )


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_colleague_covers_the_night_is_paged_and_acknowledges(person, db, lang):
    engineer = AgentFactory(username="radu", first_name="Radu", last_name="Pop", language=lang)
    colleague = AgentFactory(username="ioana", first_name="Ioana", last_name="Ene", language=lang)
    l3 = SupportGroupFactory(name="Engineering", tier=3, members=[engineer, colleague])
    requester = UserFactory(username="ana", first_name="Ana")
    schedule = Schedule.objects.create(name="Engineering on call", time_zone="Europe/Bucharest")
    layer_add(
        schedule,
        [engineer],
        name="Radu's week",  # a name people give it (not the interface's word "Weekly")
        level=1,
        start=date.today() - timedelta(days=14),
        handoff=time(9, 0),
    )
    policy_create(
        name="Engineering",
        group=l3,
        levels=[(5, {"schedules": [schedule]}), (10, {"people": [engineer]})],
    )
    found: dict[str, list[str]] = {}

    desk = person(engineer, lang=lang)
    desk.go("/desk/oncall/")
    row = desk.page.locator("tr", has_text="Engineering on call")
    assert "Radu Pop" in row.inner_text()
    found["schedules"] = page_problems(desk)

    # The engineer has the colleague cover from now until tomorrow morning.
    desk.page.get_by_role("link", name="Engineering on call").first.click()
    desk.page.wait_for_load_state()
    start = timezone.localtime(timezone.now(), ZoneInfo(engineer.time_zone))
    start = start.replace(second=0, microsecond=0) - timedelta(minutes=1)
    desk.page.select_option("#id_person", str(colleague.pk))
    desk.page.fill("#id_start", start.strftime("%Y-%m-%dT%H:%M"))
    desk.page.fill("#id_end", (start + timedelta(hours=14)).strftime("%Y-%m-%dT%H:%M"))
    desk.page.fill("#id_reason", "Radu is on a night train")
    desk.submit(desk.page.get_by_role("button", name=desk.t("Add override")))
    override = ScheduleOverride.objects.get()
    assert override.person == colleague
    assert desk.page.locator(f"#override-{override.pk}").get_by_text("Ioana Ene").count()
    desk.go(f"/desk/oncall/schedules/{schedule.pk}/")  # as it is read later, without the notice
    found["schedule"] = page_problems(desk)
    desk.shot("oncall-schedule")

    # A P1 at L3 pages whoever is on call: the colleague.
    incident = _p1(l3, requester, "Payments are down")
    assert [p.person for p in Page.objects.filter(ticket=incident)] == [colleague]

    cover = person(colleague, lang=lang)
    cover.go("/desk/oncall/me/")
    cover.page.select_option("#id_kind", "email")
    cover.page.fill("#id_address", "ioana.pager@example.test")
    cover.submit(cover.page.get_by_role("button", name=cover.t("Add contact method")))
    assert cover.page.get_by_text("ioana.pager@example.test").count()
    method = ContactMethod.objects.get(person=colleague)
    cover.page.select_option("#id_method", str(method.pk))
    cover.page.fill("#id_delay_minutes", "0")
    cover.submit(cover.page.get_by_role("button", name=cover.t("Add rule")))
    assert NotificationRule.objects.filter(person=colleague, method=method).exists()
    found["how I am paged"] = page_problems(cover)

    cover.go("/desk/oncall/pages/")
    paging = cover.page.locator("tr", has_text=incident.number).first
    found["pages"] = page_problems(cover)
    cover.submit(paging.get_by_role("button", name=cover.t("Acknowledge")))
    assert cover.page.get_by_text(
        cover.t("Acknowledged: paging for %(number)s stopped.") % {"number": incident.number}
    ).count()
    assert Escalation.objects.get(ticket=incident).state == "acknowledged"
    cover.go(f"/desk/tickets/{incident.number}/")
    timeline = cover.page.locator("#timeline").inner_text()
    assert cover.t("Acknowledged (%(via)s)") % {"via": cover.t("in the console")} in timeline
    incident.refresh_from_db()
    assert incident.first_response_at is not None

    # A second P1: the page's emailed link works without a session, once.
    second = _p1(l3, requester, "Card terminals offline")
    message = OutboxMessage.objects.filter(topic="oncall.page").latest("id")
    assert message.destination == "ioana.pager@example.test"  # the address she added
    # The link names the desk's own address; the test's server listens elsewhere.
    link = urlsplit(re.search(r"https?://\S+/oncall/ack/\S+/", message.body).group(0)).path
    anyone = person(colleague, lang=lang, sign_in=False)
    anyone.go(link)
    assert second.number in anyone.page.locator("main").inner_text()
    found["acknowledge link"] = page_problems(anyone)
    anyone.submit(anyone.page.get_by_role("button", name=anyone.t("Acknowledge")))
    assert anyone.page.get_by_role("heading", name=anyone.t("Acknowledged")).count()
    assert Escalation.objects.get(ticket=second).state == "acknowledged"
    response = anyone.page.goto(anyone.base + link)
    assert response.status == 409
    assert anyone.page.get_by_role("heading", name=anyone.t("This link cannot be used")).count()
    found["used link"] = page_problems(anyone)

    assert found == {name: [] for name in found}, found


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_an_administrator_writes_an_escalation_policy(person, db, lang):
    admin = AgentFactory(username="elena", first_name="Elena", role="admin", language=lang)
    engineer = AgentFactory(username="radu", first_name="Radu", last_name="Pop")
    l3 = SupportGroupFactory(name="Engineering", tier=3, members=[engineer])
    found: dict[str, list[str]] = {}

    desk = person(admin, lang=lang)
    desk.go("/desk/oncall/policies/")
    desk.submit(desk.page.get_by_role("link", name=desk.t("New escalation policy")))
    desk.page.fill("#id_name", "Engineering nights")
    desk.page.select_option("#id_support_group", str(l3.pk))
    desk.page.get_by_label("P1", exact=True).check()
    desk.page.fill("#id_repeat", "1")
    desk.submit(desk.page.get_by_role("button", name=desk.t("Save the policy")))
    policy = EscalationPolicy.objects.get()
    assert (policy.support_group, policy.priorities) == (l3, [1])
    found["policy"] = page_problems(desk)

    levels = desk.page.locator("#levels")
    levels.get_by_label("Radu Pop").check()
    desk.page.fill("#id_delay_minutes", "5")
    desk.submit(levels.get_by_role("button", name=desk.t("Add the level")))
    assert desk.page.locator("#levels ol li").first.get_by_text("Radu Pop").count()
    assert [p.username for p in policy.levels.get().people.all()] == ["radu"]
    desk.go(f"/desk/oncall/policies/{policy.pk}/")
    found["policy with a level"] = page_problems(desk)
    desk.shot("oncall-policy")

    assert found == {name: [] for name in found}, found


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_an_administrator_builds_a_schedule_with_a_night_layer(person, db, lang):
    admin = AgentFactory(username="elena", first_name="Elena", role="admin", language=lang)
    AgentFactory(username="radu", first_name="Radu", last_name="Pop")
    AgentFactory(username="ioana", first_name="Ioana", last_name="Dinu")
    found: dict[str, list[str]] = {}

    desk = person(admin, lang=lang)
    desk.go("/desk/oncall/")
    desk.submit(desk.page.get_by_role("link", name=desk.t("New schedule")))
    desk.page.fill("#id_name", "Network on call")
    desk.page.fill("#id_time_zone", "Europe/Bucharest")
    desk.submit(desk.page.get_by_role("button", name=desk.t("Save the schedule")))
    schedule = Schedule.objects.get(name="Network on call")
    found["new layer"] = page_problems(desk)

    desk.page.fill("#id_name", "Nights")
    desk.page.select_option("#id_rotation", "weekly")
    desk.page.fill("#id_start", "2026-03-02")
    desk.page.fill("#id_handoff", "09:00")
    for day in range(5):
        desk.page.check(f"#id_window1_days_{day}")
    desk.page.fill("#id_window1_start", "18:00")
    desk.page.fill("#id_window1_end", "09:00")
    desk.page.check("#id_window2_days_5")
    desk.page.check("#id_window2_days_6")
    desk.submit(desk.page.get_by_role("button", name=desk.t("Save the layer")))
    layer = schedule.layers.get()
    assert layer.restrictions == [
        {"weekdays": [0, 1, 2, 3, 4], "start": "18:00", "end": "09:00"},
        {"weekdays": [5, 6], "start": "00:00", "end": "00:00"},
    ]

    people = desk.page.locator("#people")
    for label in ("Radu Pop", "Ioana Dinu"):
        desk.page.select_option("#id_person", label=label)
        desk.submit(people.get_by_role("button", name=desk.t("Add the person")))
    desk.submit(people.get_by_role("button", name=desk.t("Earlier")))
    assert [p.person.username for p in layer.participants.order_by("position")] == ["ioana", "radu"]
    found["layer with people"] = page_problems(desk)

    desk.go(f"/desk/oncall/schedules/{schedule.pk}/")
    row = desk.page.locator(f"#layer-{layer.pk}")
    assert row.get_by_text("Ioana Dinu, Radu Pop").count() == 1
    found["schedule"] = page_problems(desk)
    desk.shot("oncall-schedule-layers")

    assert found == {name: [] for name in found}, found
