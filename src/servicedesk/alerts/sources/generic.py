"""The desk's own JSON: one alert change per request, for any tool that can POST JSON
(Zabbix and Grafana media types, scripts). The schema is in docs/alerts.md.

    {"key": "db1-disk", "status": "firing" | "acknowledged" | "resolved",
     "severity": "critical" | "error" | "warning" | "info", "summary": "…", "source": "db1",
     "labels": {"…": "…"}, "details": {…}, "links": ["https://…"], "timestamp": "ISO 8601",
     "acknowledged_by": "someone@example.com"}
"""

import json

from django.utils.translation import gettext as _

from servicedesk.alerts.sources import (
    ACKNOWLEDGE,
    KEY_MAX,
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

STATUSES = {"firing": TRIGGER, "acknowledged": ACKNOWLEDGE, "resolved": RESOLVE}


def parse(data) -> list[Item]:
    data = body_object(data)
    errors: dict[str, str] = {}
    key = text(data, "key", errors, required=True, limit=KEY_MAX)
    status = choice(data, "status", errors, tuple(STATUSES), required=True)
    firing = status == "firing"
    item = Item(
        key=key,
        action=STATUSES.get(status, TRIGGER),
        severity=choice(data, "severity", errors, SEVERITIES, required=firing) or "warning",
        summary=text(data, "summary", errors, required=firing),
        source=text(data, "source", errors, limit=255),
        at=moment(data, "timestamp", errors),
        labels=mapping(data, "labels", errors, strings=True),
        details=mapping(data, "details", errors),
        by=text(data, "acknowledged_by", errors, limit=254),
    )
    links = data.get("links", [])
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        errors["links"] = _("Must be a list of URLs.")
    else:
        item.links = [{"href": link[:2000], "text": ""} for link in links]
    if errors:
        raise SourceInvalid(errors)
    return [item]


EXAMPLE = json.dumps(
    {
        "key": "db1-disk-var",
        "status": "firing",
        "severity": "critical",
        "summary": "Disk /var on db1 is 97% full",
        "source": "db1",
        "labels": {"env": "production"},
    }
)

SOURCE = SourceSpec(
    name="generic", parse=parse, accepted=api_accepted, invalid=api_invalid, example=EXAMPLE
)
