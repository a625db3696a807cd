"""Schedules and their layers edited in the console by an administrator: the schedule, a layer
with its weekly windows, its people in turn (added, moved, removed), each refusal named, and
who is on call following what was saved."""

from datetime import UTC, date, datetime, time

import pytest
from django.test import Client

from servicedesk.core.errors import NotPermitted
from servicedesk.oncall import schedules as plans
from servicedesk.oncall import selectors, services
from servicedesk.oncall.models import LayerParticipant, Schedule, ScheduleLayer
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _on_call(schedule: Schedule, at: datetime):
    schedule = selectors.schedules_with_plan().get(pk=schedule.pk)
    return plans.on_call_at(selectors.schedule_plan(schedule), at)[0]


def _layer(**fields) -> dict:
    return {
        "name": "Nights",
        "level": "2",
        "rotation": "daily",
        "length_days": "",
        "start": "2026-03-02",
        "handoff": "18:00",
        **fields,
    }


def test_an_administrator_builds_a_schedule_from_the_console(desk, oncall):
    admin = _client(desk.admin)
    made = admin.post(
        "/desk/oncall/schedules/new/",
        {"name": "Network on call", "time_zone": "Europe/Bucharest", "description": "NOC"},
    )
    schedule = Schedule.objects.get(name="Network on call")
    assert made.status_code == 302
    assert made["Location"] == f"/desk/oncall/schedules/{schedule.pk}/layers/new/"
    assert admin.get(made["Location"]).status_code == 200

    # Weeknights 18:00–09:00 and the whole weekend, handing over daily at 18:00.
    layer_made = admin.post(
        f"/desk/oncall/schedules/{schedule.pk}/layers/new/",
        _layer(
            window1_days=["0", "1", "2", "3", "4"],
            window1_start="18:00",
            window1_end="09:00",
            window2_days=["5", "6"],
        ),
    )
    assert layer_made.status_code == 302
    layer = ScheduleLayer.objects.get(schedule=schedule)
    assert (layer.level, layer.rotation, layer.length_days) == (2, "daily", 1)
    assert layer.restrictions == [
        {"weekdays": [0, 1, 2, 3, 4], "start": "18:00", "end": "09:00"},
        {"weekdays": [5, 6], "start": "00:00", "end": "00:00"},
    ]
    people = f"/desk/oncall/schedules/{schedule.pk}/layers/{layer.pk}/people/"
    for person in (desk.l3_agent, oncall.colleague, oncall.second):
        assert admin.post(people, {"person": person.pk}).status_code == 302
    assert list(layer.participants.values_list("person", "position")) == [
        (desk.l3_agent.pk, 0),
        (oncall.colleague.pk, 1),
        (oncall.second.pk, 2),
    ]
    last = layer.participants.get(person=oncall.second)
    assert admin.post(f"{people}{last.pk}/", {"by": "-1"}).status_code == 302
    first = layer.participants.get(person=desk.l3_agent)
    assert admin.post(f"{people}{first.pk}/", {"remove": "1"}).status_code == 302
    assert list(layer.participants.values_list("person", "position")) == [
        (oncall.second.pk, 0),
        (oncall.colleague.pk, 1),
    ]

    # Monday 2 March 2026 20:00 in Bucharest (18:00 UTC): the first night, the first in turn;
    # Tuesday night the next; Wednesday at noon (no window) nobody.
    assert _on_call(schedule, datetime(2026, 3, 2, 18, 0, tzinfo=UTC)) == oncall.second.pk
    assert _on_call(schedule, datetime(2026, 3, 3, 18, 0, tzinfo=UTC)) == oncall.colleague.pk
    assert _on_call(schedule, datetime(2026, 3, 4, 10, 0, tzinfo=UTC)) is None
    # Saturday at noon: the weekend window.
    assert _on_call(schedule, datetime(2026, 3, 7, 10, 0, tzinfo=UTC)) is not None

    page = admin.get(f"/desk/oncall/schedules/{schedule.pk}/").content.decode()
    assert "Nights" in page and "Victor" in page and "Mon, Tue, Wed, Thu, Fri 18:00–09:00" in page

    # Renamed and moved to another zone; the layer's form shows what was saved.
    assert (
        admin.post(
            f"/desk/oncall/schedules/{schedule.pk}/edit/",
            {"name": "NOC on call", "time_zone": "Europe/London"},
        ).status_code
        == 302
    )
    schedule.refresh_from_db()
    assert (schedule.name, schedule.time_zone) == ("NOC on call", "Europe/London")
    form = admin.get(f"/desk/oncall/schedules/{schedule.pk}/layers/{layer.pk}/").context["form"]
    assert form.initial["window1_days"] == [0, 1, 2, 3, 4]
    assert "window3_days" in form.fields  # a spare window beside the two saved

    # A custom rotation of three days, without windows: always on duty.
    changed = admin.post(
        f"/desk/oncall/schedules/{schedule.pk}/layers/{layer.pk}/",
        _layer(rotation="custom", length_days="3"),
    )
    assert changed.status_code == 302
    layer.refresh_from_db()
    assert (layer.rotation, layer.length_days, layer.restrictions) == ("custom", 3, [])

    assert (
        admin.post(f"/desk/oncall/schedules/{schedule.pk}/layers/{layer.pk}/remove/").status_code
        == 302
    )
    assert not ScheduleLayer.objects.filter(pk=layer.pk).exists()
    assert not LayerParticipant.objects.filter(layer_id=layer.pk).exists()


def test_a_wrong_schedule_layer_or_person_names_each_field_and_writes_nothing(desk, oncall):
    admin = _client(desk.admin)
    before = Schedule.objects.count()
    nameless = admin.post("/desk/oncall/schedules/new/", {"name": "", "time_zone": "Mars/Base"})
    assert nameless.status_code == 400
    assert set(nameless.context["form"].errors) == {"name"}
    zone = admin.post("/desk/oncall/schedules/new/", {"name": "X", "time_zone": "Mars/Base"})
    assert zone.status_code == 400
    assert list(zone.context["form"].errors) == ["time_zone"]
    assert "Not a known time zone" in zone.content.decode()
    taken = admin.post(
        "/desk/oncall/schedules/new/",
        {"name": "engineering ON CALL", "time_zone": "Europe/Bucharest"},
    )
    assert "Another schedule has this name." in taken.content.decode()
    assert Schedule.objects.count() == before

    new_layer = f"/desk/oncall/schedules/{oncall.schedule.pk}/layers/new/"
    layers = ScheduleLayer.objects.count()
    custom = admin.post(new_layer, _layer(rotation="custom", length_days=""))
    assert custom.status_code == 400
    assert list(custom.context["form"].errors) == ["length_days"]
    garbage = admin.post(
        new_layer,
        _layer(
            name="",
            level="0",
            rotation="hourly",
            start="31.02",
            handoff="25:00",
            window1_days=["9"],
            window1_start="nine",
        ),
    )
    assert garbage.status_code == 400
    assert {
        "name",
        "level",
        "rotation",
        "start",
        "handoff",
        "window1_days",
        "window1_start",
    } <= set(garbage.context["form"].errors)
    assert ScheduleLayer.objects.count() == layers

    layer = oncall.schedule.layers.get()
    people = f"/desk/oncall/schedules/{oncall.schedule.pk}/layers/{layer.pk}/people/"
    twice = admin.post(people, {"person": desk.l3_agent.pk})
    assert twice.status_code == 400
    assert "already on this rotation" in twice.content.decode()
    outsider = admin.post(people, {"person": UserFactory().pk})
    assert list(outsider.context["person_form"].errors) == ["person"]
    one = layer.participants.first()
    odd = admin.post(f"{people}{one.pk}/", {"by": "7"}, follow=True)
    assert "move by -1 or 1" in odd.content.decode()
    assert list(layer.participants.values_list("person", flat=True)) == [
        desk.l3_agent.pk,
        oncall.colleague.pk,
    ]


def test_only_administrators_change_schedules_and_the_pages_stay_bounded(
    desk, oncall, django_assert_max_num_queries
):
    agent = _client(desk.l3_agent)
    schedule, layer = oncall.schedule, oncall.schedule.layers.get()
    page = agent.get(f"/desk/oncall/schedules/{schedule.pk}/").content.decode()
    assert "Weekly" in page and "/edit/" not in page  # the layers are shown, not their editor
    base = f"/desk/oncall/schedules/{schedule.pk}"
    for path in (
        "/desk/oncall/schedules/new/",
        f"{base}/edit/",
        f"{base}/layers/new/",
        f"{base}/layers/{layer.pk}/",
    ):
        assert agent.get(path).status_code == 403
    participant = layer.participants.first()
    for path, data in (
        (f"{base}/layers/{layer.pk}/remove/", {}),
        (f"{base}/layers/{layer.pk}/people/", {"person": desk.admin.pk}),
        (f"{base}/layers/{layer.pk}/people/{participant.pk}/", {"remove": "1"}),
    ):
        assert agent.post(path, data).status_code == 403
    assert layer.participants.count() == 2 and ScheduleLayer.objects.filter(pk=layer.pk).exists()
    assert _client(UserFactory()).get("/desk/oncall/schedules/new/").status_code == 403

    admin = _client(desk.admin)
    # Another schedule's layer is not this one's.
    other = Schedule.objects.create(name="Other", time_zone="UTC")
    assert admin.get(f"/desk/oncall/schedules/{other.pk}/layers/{layer.pk}/").status_code == 404
    for path in (f"{base}/", f"{base}/edit/", f"{base}/layers/new/", f"{base}/layers/{layer.pk}/"):
        with django_assert_max_num_queries(20):
            assert admin.get(path).status_code == 200


def test_the_services_refuse_anyone_but_an_administrator(desk, oncall):
    with pytest.raises(NotPermitted):
        services.schedule_save(actor=desk.l3_agent, name="Mine", time_zone="UTC")
    layer = oncall.schedule.layers.get()
    with pytest.raises(NotPermitted):
        services.layer_save(
            actor=desk.l3_agent,
            schedule=oncall.schedule,
            layer=layer,
            name="Mine",
            level=1,
            rotation="weekly",
            length_days=None,
            start=date(2026, 1, 5),
            handoff=time(9, 0),
            restrictions=[],
        )
    with pytest.raises(NotPermitted):
        services.layer_participant_move(
            actor=desk.l3_agent, participant=layer.participants.first(), by=1
        )
    layer.refresh_from_db()
    assert layer.name == "Weekly"
