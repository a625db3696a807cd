"""Standard Webhooks signing, checked against the published algorithm and the reference verifier."""

import base64
import hashlib
import hmac
import time

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from servicedesk.notifications.signing import webhook_headers, webhook_secret_new

# The example in the Standard Webhooks specification and its reference libraries' tests.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def signature_by_hand(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The spec's algorithm written out: HMAC-SHA256 over "id.timestamp.body" with the decoded key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def test_the_specification_example_signs_to_its_published_signature():
    headers = webhook_headers(
        secret=SPEC_SECRET, message_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY
    )

    assert headers == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": "1614265330",
        "webhook-signature": SPEC_SIGNATURE,
        "content-type": "application/json",
    }
    assert (
        signature_by_hand(
            secret=SPEC_SECRET, message_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY
        )
        == SPEC_SIGNATURE
    )


def test_the_specification_example_passes_the_reference_verifier_at_its_time():
    headers = webhook_headers(
        secret=SPEC_SECRET, message_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY
    )

    with time_machine.travel(SPEC_TIMESTAMP + 10, tick=False):
        assert Webhook(SPEC_SECRET).verify(SPEC_BODY, headers) == {"test": 2432232314}


def test_a_fresh_secret_signs_what_both_verifiers_accept():
    secret = webhook_secret_new()
    body = '{"ticket": "INC-42", "summary": "Imprimantă blocată"}'.encode()
    timestamp = int(time.time())

    headers = webhook_headers(secret=secret, message_id="msg_1", timestamp=timestamp, body=body)

    assert headers["webhook-signature"] == signature_by_hand(
        secret=secret, message_id="msg_1", timestamp=timestamp, body=body
    )
    assert Webhook(secret).verify(body, headers)["ticket"] == "INC-42"


def test_the_reference_verifier_refuses_a_changed_body_or_another_secret():
    secret = webhook_secret_new()
    headers = webhook_headers(
        secret=secret, message_id="msg_1", timestamp=int(time.time()), body=b'{"a": 1}'
    )

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a": 2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_secret_new()).verify(b'{"a": 1}', headers)


def test_a_new_secret_is_prefixed_base64_of_32_random_bytes():
    first, second = webhook_secret_new(), webhook_secret_new()

    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


@pytest.mark.parametrize("secret", ["whsec_", "whsec_not base64!", ""])
def test_a_malformed_secret_is_refused_rather_than_signing_with_a_wrong_key(secret):
    with pytest.raises(ValueError, match="webhook secret"):
        webhook_headers(secret=secret, message_id="msg_1", timestamp=SPEC_TIMESTAMP, body=b"{}")
