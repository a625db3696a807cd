"""The email channel's header fast path writes exactly what the standard library writes."""

import email.policy
from email.headerregistry import HeaderRegistry

from hypothesis import example, given
from hypothesis import strategies as st

from servicedesk.notifications.channels import email as channel

SMTP = email.policy.SMTP
STDLIB = HeaderRegistry()
NAMES = ["To", "Message-ID", "In-Reply-To", "References", "List-Unsubscribe"]

ascii_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=90)
shaped = st.one_of(
    st.from_regex(channel.SIMPLE_ADDRESS, fullmatch=True),
    st.from_regex(channel._SIMPLE_MESSAGE_ID, fullmatch=True),
    st.from_regex(channel._SIMPLE_TEXT, fullmatch=True),
)


@given(name=st.sampled_from(NAMES), value=st.one_of(shaped, ascii_values, st.text(max_size=40)))
@example(name="To", value="ana.pop@example.ro")
@example(name="Message-ID", value="<ticket-12.3f9a@desk.example.org>")
@example(name="List-Unsubscribe", value="<https://desk.example.org/status/u/abc/>")
@example(name="References", value="=?utf-8?q?x?=")
@example(name="To", value="a@b.c" + "x" * 80)
def test_a_plain_header_folds_as_the_standard_library_folds_it(name, value):
    plain = channel._plain_header(name, value)
    if plain is None:
        return
    assert plain.fold(policy=SMTP) == STDLIB(name, value).fold(policy=SMTP)
    assert str(plain) == str(STDLIB(name, value))


def test_only_short_ascii_values_of_the_per_email_headers_take_the_fast_path():
    assert channel._plain_header("To", "ana@example.ro") is not None
    assert channel._plain_header("To", "Ana Pop <ana@example.ro>") is None
    assert channel._plain_header("To", "ana@exemplu.ro\r\nBcc: x@y.z") is None
    assert channel._plain_header("Subject", "Hello") is None
    assert channel._plain_header("List-Unsubscribe", "<https://x.example/" + "u" * 80 + ">") is None
    assert channel._plain_header("References", "Ștefan") is None


def test_an_email_is_the_same_bytes_with_and_without_the_fast_path(monkeypatch):
    from django.core.mail import EmailMessage

    def build():
        return channel.ReadableEmailMessage(
            subject="[INC0000042] Serviciul de e-mail funcționează din nou",
            body="Bună ziua,\n\nServiciul a fost restabilit.\n",
            from_email="Servicedesk <desk@example.org>",
            to=["ana.pop@example.ro"],
            headers={
                "Date": "Wed, 02 Dec 2026 07:00:00 +0000",
                "Message-ID": "<status-7.ab12@desk.example.org>",
                "In-Reply-To": "<ticket-42@desk.example.org>",
                "References": "<ticket-42@desk.example.org>",
                "List-Unsubscribe": "<https://desk.example.org/status/unsubscribe/k3y/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )

    fast = build().message(policy=SMTP).as_bytes()
    stock = EmailMessage.message(build(), policy=SMTP).as_bytes()
    assert fast == stock


@given(
    address=st.one_of(
        st.from_regex(channel.SIMPLE_ADDRESS, fullmatch=True),
        st.emails(),
        st.sampled_from(["Ana Pop <ana@exemplu.ro>", "ion@exemplu-ă.ro", "webmaster"]),
    )
)
def test_the_backend_prepares_an_envelope_address_as_django_does(address):
    from django.core.mail.backends import smtp as django_smtp

    from servicedesk.notifications.smtp import EmailBackend

    try:
        expected = django_smtp.EmailBackend.prep_address(None, address)
    except ValueError:
        expected = ValueError
    try:
        got = EmailBackend.prep_address(EmailBackend.__new__(EmailBackend), address)
    except ValueError:
        got = ValueError
    assert got == expected
