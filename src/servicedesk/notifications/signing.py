"""Signing outgoing webhooks as Standard Webhooks (https://www.standardwebhooks.com/).

A receiver verifies `webhook-signature` against `webhook-id`, `webhook-timestamp` and the exact
body bytes with any Standard Webhooks library, so nothing about servicedesk needs to be known on
the other side. The HMAC itself comes from the `standardwebhooks` package, the spec's reference
implementation; this module only adapts it to bytes bodies and integer timestamps and checks the
secret strictly, because the package decodes base64 leniently and a mis-pasted secret would
otherwise sign with a key the receiver does not have.
"""

import base64
import binascii
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def webhook_secret_new() -> str:
    """A fresh secret in the form receivers expect to paste: `whsec_` and base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_…` secret; ValueError if it is not valid base64 or empty."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError("webhook secret must be 'whsec_' followed by base64") from exc
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def webhook_secret_check(secret: str) -> None:
    """ValueError, saying why, unless `secret` can sign (the admin checks what is pasted)."""
    _secret_key(secret)


def webhook_headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one signed delivery of `body`.

    `message_id` must stay the same across retries of one message, so that receivers can drop
    repeats; `timestamp` is the time of this attempt in Unix seconds, which receivers compare
    with their clock to refuse replays. The body must be UTF-8 (as JSON is), because the
    signature covers its text.
    """
    signer = Webhook(_secret_key(secret))
    signature = signer.sign(
        msg_id=message_id,
        timestamp=datetime.fromtimestamp(timestamp, tz=UTC),
        data=body.decode("utf-8"),
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
