"""What the administration refuses before the console could trip on it: a time zone zoneinfo
does not know, restrictions of another shape."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from servicedesk.oncall.models import Schedule, validate_restrictions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "restrictions",
    [
        [],
        [{"weekdays": [0, 1, 2, 3, 4], "start": "18:00", "end": "09:00"}, {"weekdays": [5, 6]}],
        [{"start": "00:00", "end": "23:59"}],
    ],
)
def test_restrictions_of_the_documented_shape_pass(restrictions):
    validate_restrictions(restrictions)


@pytest.mark.parametrize(
    "restrictions",
    [
        {"weekdays": [0]},
        ["18:00-09:00"],
        [{"weekdays": [7]}],
        [{"weekdays": []}],
        [{"weekdays": ["mon"]}],
        [{"weekdays": [True]}],
        [{"start": "24:00"}],
        [{"end": "9:00"}],
        [{"from": "18:00"}],
        [{"start": 1800}],
    ],
)
def test_other_restrictions_are_refused_with_the_shape_to_write(restrictions):
    with pytest.raises(ValidationError, match="weekday 0 is Monday"):
        validate_restrictions(restrictions)


def test_the_administration_refuses_an_unknown_zone_and_bad_restrictions(desk):
    admin = Client()
    admin.force_login(desk.admin)
    response = admin.post(
        "/admin/oncall/schedule/add/",
        {
            "name": "Nights",
            "time_zone": "Europe/Bucharestt",
            "layers-TOTAL_FORMS": "1",
            "layers-INITIAL_FORMS": "0",
            "layers-0-name": "Weeknights",
            "layers-0-level": "1",
            "layers-0-rotation": "weekly",
            "layers-0-length_days": "7",
            "layers-0-start": "2026-01-05",
            "layers-0-handoff": "09:00",
            "layers-0-restrictions": '[{"weekdays": [9]}]',
            "overrides-TOTAL_FORMS": "0",
            "overrides-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with its errors
    page = response.content.decode()
    assert "Not a known time zone" in page
    assert "weekday 0 is Monday" in page
    assert not Schedule.objects.filter(name="Nights").exists()
