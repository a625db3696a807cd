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


def _schema(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _statuses(schema, path, method) -> set[str]:
    return set(schema["paths"][path][method]["responses"])


def test_every_error_is_documented_with_the_error_shape(client, db):
    schema = _schema(client)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code", "errors"}
    assert error["properties"]["errors"]["additionalProperties"]["items"]["type"] == "string"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "alert intake" in operation.get("tags", []):
                # Monitoring intake: no session or token, its formats' own answers, and a rate
                # limit (docs/alerts.md); tests/alerts/test_api.py checks its schema.
                continue
            for status, response in operation["responses"].items():
                if status >= "400":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", (method, path, status)
            # No throttling: the API never answers 429, so no operation says it might.
            assert "429" not in operation["responses"], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_each_operation_lists_the_statuses_it_can_answer(client, db):
    schema = _schema(client)
    assert _statuses(schema, "/api/tickets/", "get") == {"200", "400", "401", "406"}
    assert _statuses(schema, "/api/tickets/", "post") == {
        "201", "400", "401", "403", "406", "409", "413", "415", "422",
    }  # fmt: skip
    assert _statuses(schema, "/api/tickets/{number}/", "get") == {
        "200", "301", "304", "401", "404", "406",
    }  # fmt: skip
    assert _statuses(schema, "/api/tickets/{number}/", "patch") == {
        "200", "308", "400", "401", "403", "404", "406", "409", "412", "413", "415", "428",
    }  # fmt: skip
    # An action of the transition table can be refused for the ticket's status; a link cannot.
    assert "409" in _statuses(schema, "/api/tickets/{number}/resolve/", "post")
    assert "409" not in _statuses(schema, "/api/tickets/{number}/set-parent/", "post")
    assert {"403", "404"} <= _statuses(schema, "/api/tickets/{number}/resolve/", "post")
    # Desk staff only; no object in the path.
    assert _statuses(schema, "/api/reports/summary/", "get") == {"200", "400", "401", "403", "406"}
    assert _statuses(schema, "/api/catalog/groups/", "get") == {"200", "401", "406"}
    download = schema["paths"]["/api/tickets/{number}/attachments/{attachment_id}/download/"]
    assert list(download["get"]["responses"]["200"]["content"]) == ["application/octet-stream"]
    assert "406" not in download["get"]["responses"]


def test_the_limits_are_in_the_document(client, db):
    schema = _schema(client)
    listing = {p["name"]: p for p in schema["paths"]["/api/tickets/"]["get"]["parameters"]}
    assert listing["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert listing["q"]["schema"]["maxLength"] == 200
    create = schema["paths"]["/api/tickets/"]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["maxLength"] == 200
    assert "5 MB" in create["responses"]["413"]["description"]
    assert "64 levels" in create["responses"]["400"]["description"]
    assert "NUL" in create["responses"]["400"]["description"]
    upload = schema["paths"]["/api/tickets/{number}/attachments/"]["post"]["responses"]["413"]
    assert "25 MB" in upload["description"]
    ticket = schema["components"]["schemas"]["TicketCreateRequest"]["properties"]
    assert ticket["category"]["minimum"] == 1
    assert ticket["category"]["maximum"] == 2**63 - 1
    assert "1900–2199" in ticket["reported_at"]["description"]
    report = schema["paths"]["/api/reports/summary/"]["get"]
    assert "366 days" in report["description"]
