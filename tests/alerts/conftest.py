import json

import pytest
from django.test import Client

from servicedesk.alerts import services


@pytest.fixture
def integration_of(desk):
    """An integration of `source` on the desk's service, to L1; returns (integration, key)."""

    def make(source="pagerduty", **fields):
        fields.setdefault("service", desk.service)
        fields.setdefault("assignment_group", desk.l1)
        return services.integration_create(name=f"{source} {len(made)}", source=source, **fields)

    made: list = []
    return lambda *a, **kw: made.append(1) or make(*a, **kw)


@pytest.fixture
def post():
    client = Client()

    def send(path, body, **headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return client.post(path, data=data, content_type="application/json", **headers)

    return send
