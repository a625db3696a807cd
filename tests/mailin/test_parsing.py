"""Reading raw mail: encodings, quotes and signatures, automatic messages, broken input."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.mailin.parsing import NotMail, html_to_text, mail_parse, reply_text
from tests.mailin.factories import fixture_message

VALUES = {"number": "INC0001001", "message_id": "<a@x.test>", "thread": "<t@x.test>"}


def parse(name):
    return mail_parse(fixture_message(name, **VALUES))


def test_romanian_in_iso_8859_2_and_windows_1250_keeps_its_diacritics():
    iso = parse("iso-8859-2.eml")
    assert iso.subject == "Imprimanta din sala de şedinţe"
    assert iso.from_name == "Ştefan Ţăranu"
    assert "tipăreşte. Încercaţi" in iso.text
    cp1250 = parse("windows-1250.eml")
    assert cp1250.subject == "Aplicaţia de salarizare"
    assert "„parolă greşită”" in cp1250.text


def test_rfc2047_words_in_several_charsets_are_decoded():
    mail = parse("rfc2047_subject.eml")
    assert mail.subject == "Parolă expirată pe laptopul şefului"
    assert mail.from_name == "Ana Mărinescu"


def test_eight_bit_without_a_charset_is_read_as_utf8():
    assert "literele ă, î, ș când apăs" in parse("eight_bit_no_charset.eml").text


def test_html_only_mail_becomes_text_without_markup_or_scripts():
    mail = parse("html_only.eml")
    assert mail.html_only
    assert "The VPN drops every hour." in mail.text
    assert "<" not in mail.text.replace("<https://status.example.test/>", "")
    assert "alert" not in mail.text and "color: red" not in mail.text


def test_alternative_prefers_the_plain_part():
    mail = parse("alternative.eml")
    assert mail.text == 'The team calendar says "access denied".'


@pytest.mark.parametrize(
    ("name", "reply", "quoted"),
    [
        ("outlook_reply.eml", "It still prints blank pages after the restart.", "Sent:"),
        ("gmail_reply.eml", "Yes, it works again. Thank you!", "wrote:"),
        ("romanian_reply.eml", "Am repornit-o, tot nu merge.", "a scris:"),
    ],
)
def test_quotes_are_stripped_from_the_reply_and_kept_in_the_text(name, reply, quoted):
    mail = parse(name)
    assert mail.reply.startswith(reply)
    assert quoted not in mail.reply
    assert quoted in mail.text


def test_a_romanian_signature_is_stripped():
    assert reply_text("Merge acum.\n\nCu stimă,\nIoana") == "Merge acum."


def test_threading_ids_in_reply_to_then_references_newest_first():
    assert parse("gmail_reply.eml").references == ["<a@x.test>", "<t@x.test>"]
    assert parse("references_only.eml").references == ["<t@x.test>", "<unrelated-1@elsewhere.test>"]


@pytest.mark.parametrize(
    ("name", "why"),
    [("auto_reply.eml", "Auto-Submitted"), ("bounce.eml", "Auto-Submitted")],
)
def test_auto_replies_and_bounces_are_automatic(name, why):
    assert why in parse(name).automatic


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ("Precedence: bulk\n", True),
        ("Precedence: list\n", True),
        ("X-Autoreply: yes\n", True),
        ("Auto-Submitted: no\n", False),
        ("Return-Path: <>\n", True),
        ("", False),
    ],
)
def test_automatic_headers(headers, automatic):
    raw = f"From: a@example.test\nSubject: x\n{headers}\nbody\n".encode()
    assert bool(mail_parse(raw).automatic) is automatic


def test_a_delivery_report_is_automatic_even_without_other_headers():
    raw = (
        b"From: postmaster@example.test\nSubject: Delivery Status Notification\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
        b"--r\nContent-Type: text/plain\n\nfailed\n--r--\n"
    )
    assert "multipart/report" in mail_parse(raw).automatic


def test_attachment_names_in_rfc2047_are_decoded():
    (attachment,) = parse("with_attachment.eml").attachments
    assert attachment.name == "eroare_conexă.png"
    assert attachment.data.startswith(b"\x89PNG")


def test_a_broken_from_and_not_mail_at_all_are_refused_with_a_reason():
    with pytest.raises(NotMail, match="sender"):
        parse("broken_from.eml")
    with pytest.raises(NotMail, match="not an email"):
        parse("not_mail.eml")


def test_an_unknown_charset_and_a_missing_date_still_parse():
    raw = (
        b"From: Ana <ana@example.test>\nSubject: =?x-unknown?Q?caf=E9?=\n"
        b"Content-Type: text/plain; charset=x-klingon\n\ncaf\xe9 au lait\n"
    )
    mail = mail_parse(raw)
    assert "caf" in mail.text and mail.from_address == "ana@example.test"


def test_html_to_text_drops_scripts():
    assert html_to_text("<p>Hi</p><script>steal()</script>") == "Hi"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_parse_or_are_refused_as_not_mail(raw):
    with contextlib.suppress(NotMail):
        mail_parse(raw)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_header_and_body_text_parse(subject, body):
    raw = f"From: a@example.test\nSubject: {subject}\n\n{body}".encode("utf-8", "surrogatepass")
    with contextlib.suppress(NotMail):
        mail_parse(raw)
