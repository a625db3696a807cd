"""Escalation policies edited in the console by an administrator: the policy, its levels, each
refusal named, and the next escalation started from what was saved."""

import pytest
from django.test import Client

from servicedesk.oncall.models import Escalation, EscalationLevel, EscalationPolicy, Page
from servicedesk.tickets import services as ticket_services
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_makes_a_policy_with_levels_and_it_pages(desk, oncall):
    admin = _client(desk.admin)
    EscalationPolicy.objects.all().delete()  # the fixture's own; this one replaces it
    made = admin.post(
        "/desk/oncall/policies/new/",
        {
            "name": "Engineering nights",
            "support_group": desk.l3.pk,
            "priorities": ["1"],
            "repeat": "1",
            "is_active": "on",
        },
    )
    assert made.status_code == 302
    policy = EscalationPolicy.objects.get()
    assert (policy.support_group, policy.priorities, policy.repeat) == (desk.l3, [1], 1)
    levels = f"/desk/oncall/policies/{policy.pk}/levels/"
    assert (
        admin.post(levels, {"delay_minutes": "5", "schedules": [oncall.schedule.pk]}).status_code
        == 302
    )
    assert (
        admin.post(levels, {"delay_minutes": "10", "people": [oncall.second.pk]}).status_code == 302
    )
    assert list(policy.levels.values_list("position", "delay_minutes")) == [(0, 5), (1, 10)]
    page = admin.get(f"/desk/oncall/policies/{policy.pk}/").content.decode()
    assert "Victor" in page and "Engineering on call" in page

    p1 = ticket_services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="All down",
        impact="high",
        urgency="high",
        assignment_group=desk.l3,
    )
    escalation = Escalation.objects.get(ticket=p1)
    assert escalation.snapshot["policy"] == "Engineering nights"
    assert [lvl["delay"] for lvl in escalation.snapshot["levels"]] == [5, 10]
    assert Page.objects.filter(ticket=p1).count() == 1
    # P2 is not among this policy's priorities.
    ticket_services.ticket_log(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Slow",
        impact="high",
        urgency="medium",
        assignment_group=desk.l3,
    )
    assert Escalation.objects.count() == 1

    first = policy.levels.get(position=0)
    removed = admin.post(f"/desk/oncall/policies/{policy.pk}/levels/{first.pk}/remove/")
    assert removed.status_code == 302
    assert list(policy.levels.values_list("position", "delay_minutes")) == [(0, 10)]
    # The running escalation keeps its snapshot.
    escalation.refresh_from_db()
    assert len(escalation.snapshot["levels"]) == 2


def test_a_wrong_policy_or_level_names_each_field_and_writes_nothing(desk, oncall):
    admin = _client(desk.admin)
    before = EscalationPolicy.objects.count()
    nowhere = admin.post("/desk/oncall/policies/new/", {"name": "Floating", "repeat": "0"})
    assert nowhere.status_code == 400
    assert "Attach the policy to a service or a support group." in nowhere.content.decode()
    taken = admin.post(
        "/desk/oncall/policies/new/",
        {"name": "engineering", "support_group": desk.l3.pk, "repeat": "0"},
    )
    assert "Another policy has this name." in taken.content.decode()
    garbage = admin.post(
        "/desk/oncall/policies/new/",
        {"name": "", "repeat": "99", "priorities": ["7"], "service": "x"},
    )
    assert garbage.status_code == 400
    assert {"name", "repeat", "priorities", "service"} <= set(garbage.context["form"].errors)
    assert EscalationPolicy.objects.count() == before

    levels = f"/desk/oncall/policies/{oncall.policy.pk}/levels/"
    count = EscalationLevel.objects.count()
    empty = admin.post(levels, {"delay_minutes": "5"})
    assert empty.status_code == 400
    assert "Choose whom to page" in empty.content.decode()
    late = admin.post(levels, {"delay_minutes": "5000", "people": [oncall.second.pk]})
    assert list(late.context["level_form"].errors) == ["delay_minutes"]
    requester = UserFactory()
    outsider = admin.post(levels, {"delay_minutes": "5", "people": [requester.pk]})
    assert list(outsider.context["level_form"].errors) == ["people"]
    assert EscalationLevel.objects.count() == count


def test_only_administrators_change_policies_and_the_pages_stay_bounded(
    desk, oncall, django_assert_max_num_queries
):
    agent = _client(desk.l3_agent)
    listing = agent.get("/desk/oncall/policies/").content.decode()
    assert "/desk/oncall/policies/new/" not in listing
    assert agent.get(f"/desk/oncall/policies/{oncall.policy.pk}/").status_code == 403
    assert agent.post("/desk/oncall/policies/new/", {"name": "Mine"}).status_code == 403
    level = oncall.policy.levels.first()
    path = f"/desk/oncall/policies/{oncall.policy.pk}/levels/{level.pk}/remove/"
    assert agent.post(path).status_code == 403
    assert oncall.policy.levels.count() == 2
    assert _client(UserFactory()).get("/desk/oncall/policies/new/").status_code == 403

    admin = _client(desk.admin)
    for path in ("/desk/oncall/policies/", f"/desk/oncall/policies/{oncall.policy.pk}/"):
        with django_assert_max_num_queries(20):
            assert admin.get(path).status_code == 200
