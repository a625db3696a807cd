"""Support group labels (accounts.selectors.group_labels): cached, yet never stale in a list."""

from django.core.cache import cache

from servicedesk.accounts.models import SupportGroup
from servicedesk.accounts.selectors import GROUP_LABELS_KEY, group_labels
from tests.tickets.api_steps import ok
from tests.tickets.factories import ticket_logged


def _listed_groups(client) -> dict[str, dict | None]:
    """{ticket title: its assignment group as the API's ticket list shows it}."""
    return {t["title"]: t["assignment_group"] for t in ok(client.get("/api/tickets/"))["results"]}


def test_a_renamed_group_shows_its_new_name_in_the_next_list(desk, api_for):
    ticket_logged(requester=desk.requester, title="Printer jam")
    agent = api_for(desk.l1_agent)
    assert _listed_groups(agent)["Printer jam"] == {
        "id": desk.l1.pk,
        "name": "Service Desk",
        "tier": 1,
    }

    desk.l1.name = "First Line"
    desk.l1.save()

    assert _listed_groups(agent)["Printer jam"]["name"] == "First Line"


def test_a_bulk_update_of_groups_shows_in_the_next_list(desk, api_for):
    ticket_logged(requester=desk.requester, title="Printer jam")
    agent = api_for(desk.l1_agent)
    assert _listed_groups(agent)["Printer jam"]["name"] == "Service Desk"

    SupportGroup.objects.filter(pk=desk.l1.pk).update(name="Front Desk", tier=2)

    assert _listed_groups(agent)["Printer jam"] == {
        "id": desk.l1.pk,
        "name": "Front Desk",
        "tier": 2,
    }


def test_a_group_made_behind_the_caches_back_is_listed_with_its_name(desk, api_for):
    ticket_logged(requester=desk.requester, title="Printer jam")
    agent = api_for(desk.l1_agent)
    ok(agent.get("/api/tickets/"))
    assert cache.get(GROUP_LABELS_KEY.current()) is not None  # the labels are cached now
    # bulk_create skips save(): as if another process had made the group.
    SupportGroup.objects.bulk_create([SupportGroup(name="Night Shift", tier=1)])
    night = SupportGroup.objects.get(name="Night Shift")
    ticket_logged(
        actor=desk.l1_agent,
        requester=desk.requester,
        title="Badge reader dead",
        assignment_group=night,
    )

    listed = _listed_groups(agent)

    assert listed["Badge reader dead"] == {"id": night.pk, "name": "Night Shift", "tier": 1}
    assert listed["Printer jam"]["name"] == "Service Desk"


def test_labels_cover_the_ids_asked_for_and_are_read_once(desk, django_assert_num_queries):
    ids = {desk.l1.pk, desk.l3.pk}
    labels = group_labels(ids)
    assert {pk: labels[pk]["name"] for pk in ids} == {
        desk.l1.pk: "Service Desk",
        desk.l3.pk: "Engineering",
    }
    assert labels[desk.l3.pk]["tier"] == 3

    with django_assert_num_queries(0):
        assert group_labels(ids) == labels
