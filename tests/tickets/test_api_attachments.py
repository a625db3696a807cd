"""Files on tickets: uploaded as multipart, listed, and only ever served back as a download."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tickets.models import Attachment
from tests.tickets.api_steps import log, ok

HTML = b"<html><script>alert(document.cookie)</script></html>"


def test_upload_list_and_download_a_file(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)

    uploaded = ok(
        ana.post(
            f"/api/tickets/{number}/attachments/",
            {"file": SimpleUploadedFile("error page.html", HTML, content_type="text/html")},
            format="multipart",
        ),
        201,
    )
    assert (uploaded["name"], uploaded["size"], uploaded["is_public"]) == (
        "error page.html",
        len(HTML),
        True,
    )
    assert uploaded["download_url"] == (
        f"/api/tickets/{number}/attachments/{uploaded['id']}/download/"
    )

    listed = ok(api_for(desk.l1_agent).get(f"/api/tickets/{number}/attachments/"))
    assert [(a["id"], a["name"], a["content_type"]) for a in listed] == [
        (uploaded["id"], "error page.html", "text/html")
    ]
    timeline = ok(ana.get(f"/api/tickets/{number}/timeline/"))
    assert [a["id"] for e in timeline for a in e["attachments"]] == [uploaded["id"]]

    download = ana.get(uploaded["download_url"])
    assert download.status_code == 200
    assert download.getvalue() == HTML
    assert download["Content-Disposition"] == 'attachment; filename="error page.html"'
    # Never rendered by the browser as what it claims to be.
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]


def test_the_file_is_stored_under_a_generated_name(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    ok(
        ana.post(
            f"/api/tickets/{number}/attachments/",
            {"file": SimpleUploadedFile("invoice.pdf.exe", b"MZ...")},
            format="multipart",
        ),
        201,
    )
    stored = Attachment.objects.get().file.name
    assert stored.startswith(f"attachments/{Attachment.objects.get().ticket_id}/")
    assert "invoice" not in stored and not stored.endswith((".exe", ".pdf"))
    assert (Path(settings.MEDIA_ROOT) / stored).read_bytes() == b"MZ..."


def test_two_files_of_the_same_name_do_not_overwrite_each_other(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    ids = [
        ok(
            ana.post(
                f"/api/tickets/{number}/attachments/",
                {"file": SimpleUploadedFile("screenshot.png", content)},
                format="multipart",
            ),
            201,
        )["id"]
        for content in (b"first", b"second")
    ]
    bodies = [ana.get(f"/api/tickets/{number}/attachments/{i}/download/").getvalue() for i in ids]
    assert bodies == [b"first", b"second"]


def test_a_name_with_accents_is_kept_for_the_download(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    uploaded = ok(
        ana.post(
            f"/api/tickets/{number}/attachments/",
            {"file": SimpleUploadedFile("raport ședință.pdf", b"%PDF-1.7")},
            format="multipart",
        ),
        201,
    )
    assert uploaded["name"] == "raport ședință.pdf"
    download = ana.get(uploaded["download_url"])
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''raport%20%C8%99edin%C8%9B%C4%83.pdf"
    )
    assert download.getvalue() == b"%PDF-1.7"


def test_a_reply_carries_several_files_and_a_large_one(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    # Above the in-memory upload size, so it arrives spooled to a temporary file.
    large = b"L" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    event = ok(
        ana.post(
            f"/api/tickets/{number}/comments/",
            {
                "body": "Two screenshots and the log",
                "files": [
                    SimpleUploadedFile("one.png", b"1"),
                    SimpleUploadedFile("two.png", b"2"),
                    SimpleUploadedFile("vpn.log", large),
                ],
            },
            format="multipart",
        ),
        201,
    )
    assert [(a["name"], a["size"]) for a in event["attachments"]] == [
        ("one.png", 1),
        ("two.png", 1),
        ("vpn.log", len(large)),
    ]
    log_file = event["attachments"][2]
    assert ana.get(log_file["download_url"]).getvalue() == large


def test_an_attachment_of_another_ticket_is_not_found(desk, api_for):
    ana = api_for(desk.requester)
    first, second = log(ana, "First"), log(ana, "Second")
    attachment = ok(
        ana.post(
            f"/api/tickets/{first}/attachments/",
            {"file": SimpleUploadedFile("a.txt", b"a")},
            format="multipart",
        ),
        201,
    )
    response = ana.get(f"/api/tickets/{second}/attachments/{attachment['id']}/download/")
    assert response.status_code == 404


def test_a_download_is_served_whatever_the_accept_header_asks_for(desk, api_for):
    ana = api_for(desk.requester)
    number = log(ana)
    uploaded = ok(
        ana.post(
            f"/api/tickets/{number}/attachments/",
            {"file": SimpleUploadedFile("log.txt", b"boot failed", content_type="text/plain")},
            format="multipart",
        ),
        201,
    )
    download = ana.get(uploaded["download_url"], HTTP_ACCEPT="application/octet-stream")
    assert download.status_code == 200
    assert download.getvalue() == b"boot failed"
    # Its errors are still the API's JSON.
    missing = ana.get(
        f"/api/tickets/{number}/attachments/999999/download/", HTTP_ACCEPT="image/png"
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
