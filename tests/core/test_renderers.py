"""The API's JSON renderer (core/renderers.py): orjson, with the same output as DRF's."""

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from servicedesk.accounts.models import Role
from servicedesk.core.renderers import FastJSONRenderer
from tests.tickets.api_steps import log, ok


def _both(data, media_type=None) -> tuple[bytes, bytes]:
    return (
        FastJSONRenderer().render(data, media_type, {}),
        JSONRenderer().render(data, media_type, {}),
    )


def _sample() -> ReturnDict:
    comment = ReturnDict(
        {
            "id": uuid.UUID("5b0c3f9e-8d2a-4c1e-9f7a-2e6d1b4a9c30"),
            "body": "Imprimanta nu merge — știu, ușa e închisă. 日本語 😀",
            "created_at": datetime(2026, 3, 2, 9, 0, 5, 123456, tzinfo=UTC),
        },
        serializer=None,
    )
    return ReturnDict(
        {
            "role": Role.MANAGER.label,  # a lazy translation
            "status": gettext_lazy("Not found."),
            "cost": Decimal("12.50"),
            "hours": Decimal("0.333333333333333333"),
            "logged_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            "local_at": datetime(2026, 3, 2, 11, 0, 30, tzinfo=ZoneInfo("Europe/Bucharest")),
            "naive_at": datetime(2026, 3, 2, 9, 0),
            "due_on": date(2026, 3, 31),
            "opens_at": time(8, 30),
            "waited": timedelta(hours=1, seconds=30),
            "reference": uuid.UUID("00000000-0000-4000-8000-000000000001"),
            "comments": ReturnList([comment, comment], serializer=None),
            "counts": {1: "one", 2: "two"},
            "tags": ("vpn", "network"),
            "ratio": 0.1,
            "big": 2**62,
            "flags": [True, False, None],
            "empty": {},
            "separators": "line\u2028paragraph\u2029end",
        },
        serializer=None,
    )


@pytest.mark.parametrize("language", ["en", "ro"])
def test_the_output_parses_to_what_drf_writes(language):
    with translation.override(language):
        fast, drf = _both(_sample())

    assert json.loads(fast) == json.loads(drf)
    parsed = json.loads(fast)
    assert parsed["role"] == ("Group manager" if language == "en" else "Manager de grup")
    assert parsed["logged_at"] == "2026-03-02T09:00:00Z"
    assert parsed["comments"][0]["created_at"] == "2026-03-02T09:00:05.123456Z"
    assert parsed["local_at"] == "2026-03-02T11:00:30+02:00"
    assert parsed["cost"] == 12.5
    assert parsed["due_on"] == "2026-03-31"
    assert parsed["reference"] == "00000000-0000-4000-8000-000000000001"
    assert parsed["counts"] == {"1": "one", "2": "two"}


def test_non_ascii_text_is_written_as_utf8_not_escaped():
    fast, _drf = _both({"body": "Știri: ușă, 日本"})
    assert "Știri: ușă, 日本".encode() in fast


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False, places=4),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_json_like_value_parses_to_what_drf_writes(value):
    fast, drf = _both({"value": value})
    assert json.loads(fast) == json.loads(drf)


def test_indent_asked_for_in_accept_gives_drfs_indented_output():
    fast, drf = _both(_sample(), "application/json; indent=4")
    assert fast == drf
    assert fast.startswith(b'{\n    "role": ')


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""
    assert FastJSONRenderer().render(None, "application/json; indent=4") == b""


def test_the_api_answers_compact_or_indented_as_asked(desk, api_for):
    ana = api_for(desk.requester)
    log(ana, "Ședință: proiectorul nu pornește")

    compact = ana.get("/api/tickets/")
    indented = ana.get("/api/tickets/", HTTP_ACCEPT="application/json; indent=4")

    assert compact["Content-Type"] == "application/json"
    assert b"\n" not in compact.content
    assert "Ședință: proiectorul nu pornește".encode() in compact.content
    assert indented.content.startswith(b'{\n    "')
    assert json.loads(indented.content) == ok(compact)


def test_line_and_paragraph_separators_are_escaped_as_drf_does():
    data = {"title": "Printer\u2028on fire\u2029again"}
    ours, theirs = _both(data)
    assert ours == theirs == b'{"title":"Printer\\u2028on fire\\u2029again"}'
