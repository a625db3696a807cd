"""Prometheus Alertmanager's webhook (version 4): a group notification of alerts.

Alertmanager re-sends the whole group every `group_interval`, firing and resolved alerts
together, so reading it is idempotent: each alert is a change of its fingerprint's alert, and a
re-sent firing alert is a repeat.
"""

import hashlib
import json

from django.utils.translation import gettext as _

from servicedesk.alerts.sources import (
    RESOLVE,
    SEVERITIES,
    TRIGGER,
    Item,
    SourceInvalid,
    SourceSpec,
    api_accepted,
    api_invalid,
    body_object,
    choice,
    mapping,
    moment,
    text,
)

MAX_ALERTS = 1000
# Severity label values other than ours, as Prometheus rules commonly spell them.
SEVERITY_ALIASES = {"page": "critical", "high": "critical", "major": "error", "minor": "warning"}


def parse(data) -> list[Item]:
    data = body_object(data)
    errors: dict[str, str] = {}
    choice(data, "status", errors, ("firing", "resolved"), required=True)
    alerts = data.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        errors["alerts"] = _("Must be a non-empty list.")
        raise SourceInvalid(errors)
    if len(alerts) > MAX_ALERTS:
        raise SourceInvalid({"alerts": _("At most %(n)d alerts.") % {"n": MAX_ALERTS}})
    items = []
    for index, alert in enumerate(alerts):
        path = f"alerts.{index}."
        if not isinstance(alert, dict):
            errors[path[:-1]] = _("Must be an object.")
            continue
        status = choice(alert, "status", errors, ("firing", "resolved"), path=path, required=True)
        labels = mapping(alert, "labels", errors, path=path, strings=True)
        annotations = mapping(alert, "annotations", errors, path=path, strings=True)
        starts = moment(alert, "startsAt", errors, path=path, required=True)
        ends = moment(alert, "endsAt", errors, path=path)
        url = text(alert, "generatorURL", errors, path=path, limit=2000)
        key = text(alert, "fingerprint", errors, path=path, limit=255) or _fingerprint(labels)
        if not labels.get("alertname") and not annotations.get("summary"):
            errors[f"{path}labels.alertname"] = _("Needs labels.alertname or annotations.summary.")
        severity = labels.get("severity", "").lower()
        severity = SEVERITY_ALIASES.get(severity, severity)
        items.append(
            Item(
                key=key,
                action=TRIGGER if status == "firing" else RESOLVE,
                severity=severity if severity in SEVERITIES else "warning",
                summary=(
                    annotations.get("summary")
                    or annotations.get("description")
                    or labels.get("alertname", "")
                )[:1024],
                source=labels.get("instance") or labels.get("job", ""),
                at=(ends if status == "resolved" and ends else starts),
                labels=labels,
                details=annotations,
                links=[{"href": url, "text": "Prometheus"}] if url else [],
            )
        )
    if errors:
        raise SourceInvalid(errors)
    return items


def _fingerprint(labels: dict) -> str:
    """Alertmanager's fingerprint is a hash of the label set; ours where a sender leaves it out."""
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


EXAMPLE = json.dumps(
    {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "status": "firing",
        "receiver": "servicedesk",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "instance": "db1:9100", "severity": "critical"},
                "annotations": {"summary": "Disk /var on db1 is 97% full"},
                "startsAt": "2026-01-05T10:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": "c0ffee1234567890",
            }
        ],
    }
)

SOURCE = SourceSpec(
    name="alertmanager",
    parse=parse,
    accepted=api_accepted,
    invalid=api_invalid,
    example=EXAMPLE,
)
