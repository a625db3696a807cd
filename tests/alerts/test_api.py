"""The desk's alerts API: integrations (administrators), alerts (desk staff), the schema."""

import pytest
import yaml

from servicedesk.alerts.models import Integration
from servicedesk.alerts.services import alerts_process, key_hash
from tests.alerts.payloads import pd_event

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_an_integration_and_sees_its_key_once(api_for, desk, post):
    api = api_for(desk.admin)
    response = api.post(
        "/api/alerts/integrations/",
        {"name": "Prometheus prod", "source": "alertmanager", "service": desk.service.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    key = body["routing_key"]
    assert body["intake_url"] == "/api/alerts/alertmanager/{routing_key}/"
    assert body["key_hint"] == key[-4:]
    assert body["severity_map"]["critical"] == {"impact": "high", "urgency": "high"}
    integration = Integration.objects.get(pk=body["id"])
    assert integration.key_hash == key_hash(key)
    assert integration.actor.email_notifications is False
    assert not integration.actor.has_usable_password()
    listed = api.get("/api/alerts/integrations/").json()
    assert [i["name"] for i in listed] == ["Prometheus prod"]
    assert "routing_key" not in listed[0]

    rotated = api.post(f"/api/alerts/integrations/{integration.pk}/rotate-key/")
    assert rotated.status_code == 200
    assert rotated.json()["routing_key"] != key
    assert post(f"/api/alerts/alertmanager/{key}/", "{}").status_code == 404


def test_integration_input_errors_name_the_field(api_for, desk):
    api = api_for(desk.admin)
    response = api.post(
        "/api/alerts/integrations/",
        {"name": "", "source": "nagios", "severity_map": {"critical": {"impact": "x"}}},
        format="json",
    )
    assert response.status_code == 400
    assert {"name", "source"} <= set(response.json()["errors"])
    assert Integration.objects.count() == 0


def test_an_administrator_changes_the_mapping_and_auto_resolve(api_for, desk, integration_of):
    integration, _key = integration_of("pagerduty")
    response = api_for(desk.admin).patch(
        f"/api/alerts/integrations/{integration.pk}/",
        {"auto_resolve": True, "page_on_call": True, "correlation_labels": ["cluster"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["page_on_call"] is True
    integration.refresh_from_db()
    assert integration.auto_resolve is True and integration.page_on_call is True
    assert integration.correlation_labels == ["cluster"]


def test_agents_may_not_manage_integrations_but_list_alerts(api_for, desk, integration_of, post):
    integration, key = integration_of("pagerduty")
    post("/v2/enqueue", pd_event(key, dedup_key="db1", severity="error"))
    alerts_process()
    agent = api_for(desk.l1_agent)
    assert agent.get("/api/alerts/integrations/").status_code == 403
    assert agent.post(f"/api/alerts/integrations/{integration.pk}/rotate-key/").status_code == 403
    alerts = agent.get("/api/alerts/", {"status": "open", "severity": "error"}).json()
    assert [(a["dedup_key"], a["count"], a["integration"]) for a in alerts] == [
        ("db1", 1, integration.name)
    ]
    assert alerts[0]["incident"].startswith("INC")
    assert agent.get("/api/alerts/", {"severity": "critical"}).json() == []
    bad = agent.get("/api/alerts/", {"status": "on fire", "integration": "x"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"status", "integration"}
    assert api_for(desk.requester).get("/api/alerts/").status_code == 403


def test_every_alerts_endpoint_is_in_the_schema(api_for, desk):
    schema = yaml.safe_load(api_for(desk.admin).get("/api/schema/").content)
    paths = set(schema["paths"])
    assert {
        "/v2/enqueue",
        "/api/alerts/alertmanager/{key}/",
        "/api/alerts/generic/{key}/",
        "/api/alerts/",
        "/api/alerts/integrations/",
        "/api/alerts/integrations/{id}/",
        "/api/alerts/integrations/{id}/rotate-key/",
    } <= paths
    enqueue = schema["paths"]["/v2/enqueue"]["post"]
    assert {"202", "400", "413", "429"} <= set(enqueue["responses"])
