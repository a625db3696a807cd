"""IdField reads an id only from a whole number: never a float cast down, a boolean or a number
the database cannot hold."""

from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from rest_framework import serializers

from servicedesk.catalog.models import Category
from servicedesk.core.fields import MAX_ID, IdField, MomentField
from tests.catalog.factories import CategoryFactory

pytestmark = pytest.mark.django_db


class PickSerializer(serializers.Serializer):
    category = IdField(queryset=Category.objects.all())
    categories = IdField(queryset=Category.objects.all(), many=True, required=False)


class LoosePickSerializer(serializers.Serializer):
    """What DRF's own field does, for contrast."""

    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())


@pytest.fixture
def category():
    return CategoryFactory(pk=1, name="Email")


def _errors(data) -> dict:
    serializer = PickSerializer(data=data)
    assert not serializer.is_valid()
    return {field: [str(m) for m in messages] for field, messages in serializer.errors.items()}


def test_drf_casts_a_float_id_down_to_a_row(category):
    serializer = LoosePickSerializer(data={"category": 1.5})

    assert serializer.is_valid()
    assert serializer.validated_data["category"] == category


@pytest.mark.parametrize("value", [1.5, 1.0, True, False, "1.5", " 1", "1e0", "²", "", None, [1],
                                   {"id": 1}, "-1"])  # fmt: skip
def test_what_is_not_a_whole_number_is_refused(category, value):
    errors = _errors({"category": value})

    # DRF reads "" as null, as a form sends an empty choice.
    null = value in (None, "")
    reason = "This field may not be null." if null else "Give the id as a whole number."
    assert errors == {"category": [reason]}


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 10**30, "9" * 5000])
def test_a_number_out_of_range_is_refused(category, value):
    assert _errors({"category": value}) == {"category": [f"Give an id from 1 to {MAX_ID}."]}


def test_an_id_in_range_that_names_no_row_does_not_exist(category):
    assert "does not exist" in _errors({"category": MAX_ID})["category"][0]


@pytest.mark.parametrize("value", [1, "1"])
def test_a_json_integer_or_a_digit_string_from_a_form_reads_the_row(category, value):
    serializer = PickSerializer(data={"category": value})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["category"] == category


def test_a_form_post_reads_ids_from_strings(category):
    other = CategoryFactory(pk=2, name="VPN")
    form = QueryDict("category=1&categories=1&categories=2")
    serializer = PickSerializer(data=form)

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["categories"] == [category, other]


def test_many_refuses_each_bad_item(category):
    errors = _errors({"category": 1, "categories": [1, 2.0]})

    assert errors == {"categories": ["Give the id as a whole number."]}


class WhenSerializer(serializers.Serializer):
    at = MomentField()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-01-01T10:99:00Z", "Give an existing date and time (ISO 8601)."),
        ("2026-02-30T10:00:00Z", "Give an existing date and time (ISO 8601)."),
        ("1800-01-01T10:00:00Z", "Give a date from 1900 to 2199."),
    ],
)
def test_a_moment_that_does_not_exist_or_is_out_of_range_is_refused(value, message):
    serializer = WhenSerializer(data={"at": value})
    assert not serializer.is_valid()
    assert [str(m) for m in serializer.errors["at"]] == [message]


def test_a_real_moment_is_read():
    serializer = WhenSerializer(data={"at": "2026-12-02T10:30:00+02:00"})
    assert serializer.is_valid(), serializer.errors
    at = serializer.validated_data["at"]
    assert at == datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
