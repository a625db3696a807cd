"""Ids in paths: only what a database id can be reaches a view; anything else is a 404."""

import pytest
from django.urls import Resolver404, resolve, reverse

from servicedesk.core.converters import IdConverter
from servicedesk.core.fields import MAX_ID


@pytest.mark.parametrize("text", ["0", str(MAX_ID + 1), "133522093264170680320", "9" * 4000])
def test_a_path_with_an_impossible_id_matches_no_route(text):
    with pytest.raises(Resolver404):
        resolve(f"/api/major/{text}/review/")


def test_a_possible_id_reaches_the_view_as_an_int():
    assert resolve(f"/api/major/{MAX_ID}/review/").kwargs == {"pk": MAX_ID}
    assert reverse("desk-oncall-schedule", args=[7]) == "/desk/oncall/schedules/7/"
    assert IdConverter().to_python("0042") == 42


@pytest.mark.django_db
def test_a_huge_id_on_a_foreign_key_lookup_is_a_404_not_a_500(api_for, desk):
    api = api_for(desk.l1_agent)
    for path in ("/api/major/133522093264170680320/review/", f"/api/major/{MAX_ID}/review/"):
        assert api.patch(path, {"root_cause": "x"}, format="json").status_code == 404
