"""Real-shaped bodies: Alertmanager v4 group notifications, PagerDuty Events v2 events."""


def am_alert(name, instance, *, status="firing", severity="critical", fingerprint=None):
    return {
        "status": status,
        "labels": {"alertname": name, "instance": instance, "job": "node", "severity": severity},
        "annotations": {"summary": f"{name} on {instance}", "description": "See the runbook."},
        "startsAt": "2026-01-05T10:00:00.000Z",
        "endsAt": "2026-01-05T10:30:00.000Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": f"http://prometheus:9090/graph?g0.expr={name}",
        "fingerprint": fingerprint or f"{name}-{instance}".lower(),
    }


def am_group(*alerts, status=None):
    status = status or ("firing" if any(a["status"] == "firing" for a in alerts) else "resolved")
    return {
        "receiver": "servicedesk",
        "status": status,
        "alerts": list(alerts),
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": {"job": "node"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "truncatedAlerts": 0,
    }


def pd_event(key, action="trigger", dedup_key=None, severity="critical", summary="DB down"):
    event = {"routing_key": key, "event_action": action}
    if dedup_key is not None:
        event["dedup_key"] = dedup_key
    if action == "trigger":
        event["payload"] = {
            "summary": summary,
            "source": "db1.example.com",
            "severity": severity,
            "timestamp": "2026-01-05T10:00:00.000+00:00",
            "component": "postgres",
            "group": "prod-db",
            "class": "availability",
            "custom_details": {"free_space": "1%"},
        }
        event["links"] = [{"href": "https://grafana.example.com/d/db", "text": "Dashboard"}]
        event["images"] = [{"src": "https://grafana.example.com/render/db.png", "alt": "graph"}]
    return event
