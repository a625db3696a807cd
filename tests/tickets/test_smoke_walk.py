def test_log_escalate_resolve_confirm(desk, api_for, deliver_outbox):
    requester = api_for(desk.requester)
    created = requester.post("/api/tickets/", {"title": "Outlook will not start"}, format="json")
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    assert number.startswith("INC")
    assert created.json()["assignment_group"]["name"] == "Service Desk"

    l1 = api_for(desk.l1_agent)
    r = l1.post(f"/api/tickets/{number}/start/", {}, format="json")
    assert r.status_code == 200, r.json()
    etag = r["ETag"]
    r = l1.patch(
        f"/api/tickets/{number}/",
        {"category": desk.category.pk, "impact": "high", "urgency": "medium"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 200, r.json()
    assert r.json()["priority"] == 2
    r = l1.post(
        f"/api/tickets/{number}/escalate/",
        {"to_group": desk.l2.pk, "reason": "Needs the mail admins"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    l2 = api_for(desk.l2_agent)
    assert l2.post(f"/api/tickets/{number}/start/", {}, format="json").status_code == 200
    r = l2.post(
        f"/api/tickets/{number}/resolve/",
        {
            "resolution_code": "solved_permanently",
            "resolution_notes": "Profile rebuilt",
            "service_restored": True,
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    r = requester.post(f"/api/tickets/{number}/confirm/", {}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed"
    subjects = [m.subject for m in deliver_outbox()]
    assert any("logged" in s for s in subjects) and any("Closed" in s for s in subjects)
