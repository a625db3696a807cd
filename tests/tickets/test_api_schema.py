"""The OpenAPI schema is served, valid, and documents every ticket endpoint; the docs need no CDN."""

import re

import yaml
from django.core.management import call_command

from servicedesk.tickets import actions


def test_the_schema_is_served_and_lists_every_ticket_endpoint(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert schema["info"]["title"] == "servicedesk API"
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/tickets/"])
    assert {"get", "patch"} <= set(paths["/api/tickets/{number}/"])
    for spec in actions.actions_all():
        if spec.endpoint:
            assert "post" in paths[f"/api/tickets/{{number}}/{spec.name}/"], spec.name
    for tail in ("comments/", "attachments/", "timeline/", "tiers/"):
        assert f"/api/tickets/{{number}}/{tail}" in paths
    patch = paths["/api/tickets/{number}/"]["patch"]
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    create = paths["/api/tickets/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])


def test_the_schema_validates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "/api/tickets/{number}/resolve/" in schema["paths"]


def test_the_docs_page_is_served_without_a_cdn(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html[:500]
    assert all(a.startswith("/static/") for a in assets), assets
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cloudflare", "googleapis"):
        assert cdn not in html
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
