"""The admin's mailboxes and inbound messages: a failed message is listed with its error, its raw
bytes download, and retrying it processes it."""

import pytest

from servicedesk.mailin import services
from servicedesk.mailin.models import InboundMessage, Mailbox
from tests.mailin.factories import MailboxFactory, fixture_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, desk):
    client.force_login(desk.admin)
    return client


def test_failed_messages_are_listed_with_their_reason(
    admin_client, default_mailbox, django_assert_max_num_queries
):
    for name in ("not_mail.eml", "broken_from.eml", "plain.eml"):
        services.inbound_store(mailbox=default_mailbox, raw=fixture_message(name))
    services.inbound_pending_process()
    with django_assert_max_num_queries(12):
        page = admin_client.get("/admin/mailin/inboundmessage/?status__exact=failed")
    text = page.content.decode()
    assert page.status_code == 200
    assert "not an email: no headers" in text and "no valid sender address" in text
    assert "Printer on floor 3" not in text


def test_raw_download_and_retry(admin_client, default_mailbox, monkeypatch):
    raw = fixture_message("plain.eml")
    row, _new = services.inbound_store(mailbox=default_mailbox, raw=raw)
    InboundMessage.objects.filter(pk=row.pk).update(status="failed", reason="database said no")
    response = admin_client.get(f"/admin/mailin/inboundmessage/{row.pk}/raw/")
    assert response.content == raw
    assert response["Content-Type"] == "message/rfc822"
    assert "attachment" in response["Content-Disposition"]
    response = admin_client.post(
        "/admin/mailin/inboundmessage/",
        {"action": "retry", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "1 of 1 message processed." in response.content.decode()
    row.refresh_from_db()
    assert row.status == "processed" and row.ticket is not None


def test_the_change_page_shows_the_raw_link(admin_client, default_mailbox):
    row, _new = services.inbound_store(mailbox=default_mailbox, raw=fixture_message("plain.eml"))
    page = admin_client.get(f"/admin/mailin/inboundmessage/{row.pk}/change/").content.decode()
    assert f"/admin/mailin/inboundmessage/{row.pk}/raw/" in page


def test_a_mailbox_keeps_its_password_unless_told_to_forget_it(admin_client, desk):
    box = MailboxFactory(
        name="imap", kind=Mailbox.Kind.IMAP, host="imap.example.test", username="u", password="s3"
    )
    form = {
        "name": "imap",
        "address": "imap@desk.example.test",
        "kind": "imap",
        "purpose": "tickets",
        "is_active": "on",
        "host": "imap.example.test",
        "port": "993",
        "use_tls": "on",
        "username": "u",
        "password": "",
        "folder": "INBOX",
        "poll_seconds": "60",
    }
    url = f"/admin/mailin/mailbox/{box.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "s3" not in page
    assert admin_client.post(url, form).status_code == 302
    box.refresh_from_db()
    assert box.password == "s3"
    admin_client.post(url, {**form, "clear_password": "on"})
    box.refresh_from_db()
    assert box.password == ""


def test_an_imap_mailbox_without_a_server_is_refused_naming_the_field(admin_client, desk):
    response = admin_client.post(
        "/admin/mailin/mailbox/add/",
        {"name": "x", "kind": "imap", "port": "993", "folder": "INBOX", "poll_seconds": "60"},
    )
    assert response.status_code == 200
    assert "An IMAP mailbox needs this." in response.content.decode()
    assert not Mailbox.objects.filter(name="x").exists()
