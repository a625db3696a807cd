"""A JSON body is an object of sane depth and size, or a 4xx naming the limit; nothing is written."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.core.parsers import MAX_DEPTH, json_depth
from tests.tickets.api_steps import error_of, log, written

MB = 1024 * 1024


@pytest.fixture
def number(desk, api_for):
    return log(api_for(desk.requester), "Broken screen")


# Every endpoint that reads a JSON body: create, edit, a lifecycle action, a comment.
ENDPOINTS = ["/api/tickets/", "/api/tickets/{n}/", "/api/tickets/{n}/resolve/",
             "/api/tickets/{n}/comments/"]  # fmt: skip


def _send(client, path: str, raw: str | bytes, number: str = ""):
    if path == "/api/tickets/{n}/":
        etag = client.get(path.format(n=number))["ETag"]
        return client.generic(
            "PATCH", path.format(n=number), raw, content_type="application/json", HTTP_IF_MATCH=etag
        )
    return client.generic("POST", path.format(n=number), raw, content_type="application/json")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    ["[" * 5000 + "]" * 5000, "[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000],
    ids=["arrays", "arrays-past-the-recursion-limit", "objects"],
)
def test_a_body_nested_thousands_deep_is_a_400_naming_the_limit(desk, api_for, number, path, raw):
    before = written()
    response = _send(api_for(desk.l1_agent), path, raw, number)

    reasons = error_of(response, 400, "body")
    assert response.json()["code"] == "parse_error"
    assert f"limit of {MAX_DEPTH} levels" in reasons[0]
    assert written() == before


def test_a_body_one_level_past_the_limit_is_refused_and_one_at_it_is_read(desk, api_for):
    ana = api_for(desk.requester)
    at_limit = '{"title": "Mail", "x": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    past_it = '{"title": "Mail", "x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"

    assert _send(ana, "/api/tickets/", at_limit).status_code == 201
    assert "limit of 64 levels" in error_of(_send(ana, "/api/tickets/", past_it), 400, "body")[0]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("raw", ["false", "null", "1", '"x"', "[]", "[{}]"])
def test_a_body_that_is_not_an_object_is_a_400(desk, api_for, number, path, raw):
    before = written()
    response = _send(api_for(desk.l1_agent), path, raw, number)

    assert error_of(response, 400, "body") == ["The body must be a JSON object."]
    assert response.json()["code"] == "parse_error"
    assert written() == before


@pytest.mark.parametrize(
    "raw",
    ['{"title": NaN}', '{"title": Infinity}', b'{"title": "\xff"}', '{"n": ' + "9" * 5000 + "}"],
    ids=["nan", "infinity", "not-utf8", "5000-digit-integer"],
)
def test_what_json_cannot_hold_is_a_parse_error(desk, api_for, raw):
    before = written()
    response = _send(api_for(desk.requester), "/api/tickets/", raw)

    assert "JSON parse error" in error_of(response, 400, "body")[0]
    assert written() == before


def test_a_json_body_over_the_size_limit_is_a_413_naming_it(desk, api_for, number, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    body = '{"title": "Mail", "description": "' + "x" * MB + '"}'
    before = written()

    response = _send(api_for(desk.requester), "/api/tickets/", body)

    assert error_of(response, 413, "body") == ["The request body is larger than the limit of 1 MB."]
    assert response.json()["code"] == "too_large"
    assert written() == before


def test_a_multipart_body_over_the_size_limit_is_a_413(desk, api_for, number, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    before = written()

    response = api_for(desk.requester).post(
        f"/api/tickets/{number}/comments/", {"body": "x" * (MB + 1)}, format="multipart"
    )

    assert "larger than the limit of 1 MB" in error_of(response, 413, "body")[0]
    assert written() == before


def test_a_form_over_the_size_limit_is_a_413(desk, api_for, number, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    before = written()

    response = api_for(desk.requester).generic(
        "POST",
        f"/api/tickets/{number}/comments/",
        "body=" + "x" * MB,
        content_type="application/x-www-form-urlencoded",
    )

    assert "larger than the limit of 1 MB" in error_of(response, 413, "body")[0]
    assert written() == before


def test_a_limit_below_one_mb_is_named_in_kb(desk, api_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
    body = '{"title": "' + "x" * (512 * 1024) + '"}'

    response = _send(api_for(desk.requester), "/api/tickets/", body)

    assert "limit of 512 KB" in error_of(response, 413, "body")[0]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "&".join(f"f{i}=x" for i in range(20))),
        ("multipart", {f"f{i}": "x" for i in range(20)}),
    ],
    ids=["form", "multipart"],
)
def test_a_body_with_too_many_fields_is_a_400_naming_the_limit(
    desk, api_for, number, settings, content_type, body
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = api_for(desk.requester)
    before = written()

    path = f"/api/tickets/{number}/comments/"
    if content_type == "multipart":
        response = client.post(path, body, format="multipart")
    else:
        response = client.generic("POST", path, body, content_type=content_type)

    assert error_of(response, 400, "body") == ["The request has more than the limit of 10 fields."]
    assert written() == before


def test_a_body_with_too_many_files_is_a_400_naming_the_limit(desk, api_for, number, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(3)]
    before = written()

    response = api_for(desk.requester).post(
        f"/api/tickets/{number}/comments/", {"body": "logs", "files": files}, format="multipart"
    )

    assert error_of(response, 400, "files") == ["The request has more than the limit of 2 files."]
    assert written() == before


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=20,
)


def _depth_recursive(value) -> int:
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((_depth_recursive(c) for c in children), default=0)
    return 0


@given(_json)
def test_json_depth_counts_levels_as_a_recursive_walk_would(value):
    assert json_depth(value=value) == _depth_recursive(value)
