"""The intake endpoints: what they accept, what they refuse (and then write nothing)."""

import json

import pytest

from servicedesk.alerts import services
from servicedesk.alerts.models import RawEvent
from tests.alerts.payloads import am_alert, am_group, pd_event

pytestmark = pytest.mark.django_db

PD_INVALID = {"status": "invalid event", "message": "Event object is invalid"}


def _pd_errors(response):
    body = response.json()
    assert {k: body[k] for k in ("status", "message")} == PD_INVALID
    return body["errors"]


def test_alertmanager_group_is_stored_raw_with_its_parsed_alerts(integration_of, post):
    _integration, key = integration_of("alertmanager")
    body = json.dumps(am_group(am_alert("DiskFull", "db1:9100"), am_alert("A", "b")))
    response = post(f"/api/alerts/alertmanager/{key}/", body)
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "alerts": 2}
    event = RawEvent.objects.get()
    assert event.body == body
    assert [(i["key"], i["action"], i["severity"]) for i in event.items] == [
        ("diskfull-db1:9100", "trigger", "critical"),
        ("a-b", "trigger", "critical"),
    ]
    assert event.processed_at is None


def test_generic_event_is_accepted(integration_of, post):
    _integration, key = integration_of("generic")
    response = post(
        f"/api/alerts/generic/{key}/",
        {"key": "k", "status": "firing", "severity": "info", "summary": "Backup late"},
    )
    assert (response.status_code, response.json()) == (202, {"status": "accepted", "alerts": 1})


PD_BAD = [
    ("malformed JSON", '{"routing_key": "KEY", "event_action": ', ["body: Not valid JSON"]),
    ("not an object", "[1, 2]", ["body: Must be a JSON object."]),
    ("NaN", '{"routing_key": "KEY", "event_action": "trigger", "x": NaN}', ["body: Not valid"]),
    ("NUL", '{"routing_key": "KEY", "dedup_key": "a\\u0000"}', ["body: May not contain a NUL"]),
    ("no routing key", {"event_action": "trigger"}, ["routing_key: This field is required."]),
    (
        "unknown event_action",
        {"routing_key": "KEY", "event_action": "explode", "dedup_key": "a"},
        ["event_action: Must be one of: trigger, acknowledge, resolve."],
    ),
    (
        "missing payload fields",
        {"routing_key": "KEY", "event_action": "trigger", "payload": {"summary": "x"}},
        [
            "payload.source: This field is required.",
            "payload.severity: This field is required.",
        ],
    ),
    (
        "no payload",
        {"routing_key": "KEY", "event_action": "trigger"},
        ["payload: This field is required."],
    ),
    (
        "wrong types",
        {
            "routing_key": "KEY",
            "event_action": "trigger",
            "dedup_key": 7,
            "payload": {"summary": ["x"], "source": "s", "severity": "critical"},
            "links": "https://x",
        },
        ["dedup_key: Must be a string.", "payload.summary: Must be a string.", "links: Must"],
    ),
    (
        "bad severity and time",
        {
            "routing_key": "KEY",
            "event_action": "trigger",
            "payload": {
                "summary": "x",
                "source": "s",
                "severity": "fatal",
                "timestamp": "yesterday",
            },
        },
        ["payload.severity: Must be one of", "payload.timestamp: Must be an ISO 8601"],
    ),
    (
        "acknowledge without dedup_key",
        {"routing_key": "KEY", "event_action": "acknowledge"},
        ["dedup_key: Required to acknowledge an alert."],
    ),
]


@pytest.mark.parametrize(("case", "body", "expected"), PD_BAD, ids=[c[0] for c in PD_BAD])
def test_pagerduty_bad_input(integration_of, post, case, body, expected):
    _integration, key = integration_of("pagerduty")
    raw = (
        body.replace("KEY", key) if isinstance(body, str) else json.dumps(body).replace("KEY", key)
    )
    response = post("/v2/enqueue", raw)
    assert response.status_code == 400
    errors = _pd_errors(response)
    assert len(errors) == len(expected), errors
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start), errors
    assert RawEvent.objects.count() == 0


def test_pagerduty_wrong_key_is_answered_as_an_unknown_one(integration_of, post):
    _integration, key = integration_of("pagerduty")
    wrong = post("/v2/enqueue", pd_event(key[:-1] + ("0" if key[-1] != "0" else "1")))
    unknown = post("/v2/enqueue", pd_event("x" * 32))
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert _pd_errors(wrong) == ["routing_key: No integration has this routing key."]
    # A key of another format's integration is not a PagerDuty key either.
    _am, am_key = integration_of("alertmanager")
    assert post("/v2/enqueue", pd_event(am_key)).json() == unknown.json()
    assert RawEvent.objects.count() == 0


def test_path_key_wrong_or_unknown_is_a_404_before_the_body_is_read(integration_of, post):
    _integration, key = integration_of("alertmanager")
    wrong = post(f"/api/alerts/alertmanager/{key[:-2]}ab/", "not json")
    unknown = post("/api/alerts/alertmanager/nope/", am_group(am_alert("A", "b")))
    assert wrong.status_code == unknown.status_code == 404
    assert (
        wrong.json()
        == unknown.json()
        == {
            "detail": "No integration has this routing key.",
            "code": "unknown_key",
            "errors": {},
        }
    )
    assert RawEvent.objects.count() == 0


AM_BAD = [
    ("malformed JSON", "{", {"body"}),
    ("missing alerts", {"status": "firing"}, {"alerts"}),
    ("empty alerts", {"status": "firing", "alerts": []}, {"alerts"}),
    (
        "missing alert fields",
        {"status": "firing", "alerts": [{"labels": {"alertname": "A"}}]},
        {"alerts.0.status", "alerts.0.startsAt"},
    ),
    (
        "wrong types",
        {
            "status": 3,
            "alerts": [
                {
                    "status": "firing",
                    "labels": ["A"],
                    "annotations": {"summary": 5},
                    "startsAt": "2026-01-05T10:00:00Z",
                },
                "alert",
            ],
        },
        {
            "status",
            "alerts.0.labels",
            "alerts.0.annotations",
            "alerts.0.labels.alertname",
            "alerts.1",
        },
    ),
    (
        "unknown status",
        {
            "status": "firing",
            "alerts": [
                {"status": "pending", "labels": {"alertname": "A"}, "startsAt": "2026-01-05T10:00Z"}
            ],
        },
        {"alerts.0.status"},
    ),
]


@pytest.mark.parametrize(("case", "body", "fields"), AM_BAD, ids=[c[0] for c in AM_BAD])
def test_alertmanager_bad_input(integration_of, post, case, body, fields):
    _integration, key = integration_of("alertmanager")
    response = post(f"/api/alerts/alertmanager/{key}/", body)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert set(data["errors"]) == fields, data
    assert all(isinstance(v, list) and v for v in data["errors"].values())
    assert RawEvent.objects.count() == 0


GENERIC_BAD = [
    ("missing fields", {}, {"key", "status"}),
    (
        "firing needs severity and summary",
        {"key": "k", "status": "firing"},
        {"severity", "summary"},
    ),
    ("unknown status", {"key": "k", "status": "exploded"}, {"status"}),
    (
        "wrong types",
        {"key": 1, "status": "resolved", "labels": {"a": 1}, "details": [], "links": "x"},
        {"key", "labels", "details", "links"},
    ),
]


@pytest.mark.parametrize(("case", "body", "fields"), GENERIC_BAD, ids=[c[0] for c in GENERIC_BAD])
def test_generic_bad_input(integration_of, post, case, body, fields):
    _integration, key = integration_of("generic")
    response = post(f"/api/alerts/generic/{key}/", body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert RawEvent.objects.count() == 0


@pytest.mark.parametrize("source", ["pagerduty", "alertmanager", "generic"])
def test_a_body_over_512_kb_is_a_413(integration_of, post, source):
    _integration, key = integration_of(source)
    path = "/v2/enqueue" if source == "pagerduty" else f"/api/alerts/{source}/{key}/"
    body = json.dumps({"routing_key": key, "event_action": "trigger", "pad": "x" * 512 * 1024})
    response = post(path, body)
    assert response.status_code == 413
    assert "512 KB" in json.dumps(response.json())
    assert RawEvent.objects.count() == 0


def test_the_rate_limit_answers_429_with_retry_after(integration_of, post):
    _integration, key = integration_of("pagerduty", rate_limit=3)
    statuses = [post("/v2/enqueue", pd_event(key)).status_code for _n in range(5)]
    assert statuses == [202, 202, 202, 429, 429]
    throttled = post("/v2/enqueue", pd_event(key))
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["status"] == "throttled"
    assert RawEvent.objects.count() == 3


def test_a_rotated_key_stops_working_at_once(integration_of, post):
    integration, key = integration_of("pagerduty")
    assert post("/v2/enqueue", pd_event(key)).status_code == 202  # now cached
    new_key = services.integration_rotate_key(integration=integration)
    assert post("/v2/enqueue", pd_event(key)).status_code == 400
    assert post("/v2/enqueue", pd_event(new_key)).status_code == 202


def test_an_inactive_integration_takes_nothing(integration_of, post):
    integration, key = integration_of("generic")
    services.integration_update(integration=integration, is_active=False)
    response = post(f"/api/alerts/generic/{key}/", {"key": "k", "status": "resolved"})
    assert response.status_code == 404


def test_only_the_keys_hash_is_stored(integration_of):
    integration, key = integration_of("pagerduty")
    integration.refresh_from_db()
    assert key not in json.dumps(
        {f.name: str(getattr(integration, f.attname)) for f in integration._meta.fields}
    ).replace(integration.key_hint, "")
    assert integration.key_hash == services.key_hash(key)


def test_get_is_not_allowed(integration_of, client):
    _integration, key = integration_of("generic")
    assert client.get(f"/api/alerts/generic/{key}/").status_code == 405
