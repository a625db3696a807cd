"""A burst of PagerDuty events, as stored by intake: many repeats across a set of keys.

Shared by the two-worker test and the processing benchmark (bench/alert_processing.py).
"""

import json
import random
from dataclasses import asdict

from django.utils import timezone

from servicedesk.alerts.models import RawEvent
from servicedesk.alerts.sources import pagerduty

HOSTS = 12


def burst_events(integrations, *, events: int, keys: int, seed: int = 7) -> list[RawEvent]:
    """`events` raw trigger events over `keys` dedup keys (every key at least once, the rest
    repeats of random keys), spread evenly over `integrations`; alerts of key k come from host
    k mod HOSTS, so each integration's alerts correlate into HOSTS incidents."""
    rng = random.Random(seed)
    order = list(range(keys)) + [rng.randrange(keys) for _n in range(events - keys)]
    rng.shuffle(order)
    now = timezone.now()
    rows = []
    for n, k in enumerate(order):
        integration = integrations[k % len(integrations)]
        body = {
            "routing_key": "burst",
            "event_action": "trigger",
            "dedup_key": f"key-{k}",
            "payload": {
                "summary": f"Check {k} failing",
                "source": f"host-{k % HOSTS}",
                "severity": "error",
            },
        }
        items = [asdict(item) for item in pagerduty.parse(body)]
        rows.append(
            RawEvent(integration=integration, received_at=now, body=json.dumps(body), items=items)
        )
        del n
    return rows
