"""Signing and verifying forwarded webhooks the way the Standard Webhooks specification says.

Every forwarded request carries three headers:

* `webhook-id`: the message id, the same on every retry (receivers de-duplicate by it);
* `webhook-timestamp`: Unix seconds when this attempt was signed;
* `webhook-signature`: `v1,` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), where the
  key is the base64 part of the `whsec_...` secret. Several space-separated signatures may be
  present (key rotation); one match is enough.

The forwarding secret (`forwarding_secret()`) is `UNIMAP_FORWARD_SECRET` when set (a `whsec_`
value), else derived from the credential key (`engine.accounts.keys.load_key`: the
`UNIMAP_SECRET_KEY` variable or the owner-only key file made on first use), so every process of
one installation signs with the same secret and nobody without the key can forge one.
`unimap webhook secret` prints it for the host app's receiver. `unimap webhook secret rotate`
(`rotate_forwarding_secret`) makes a new random secret current, kept encrypted in the
installation's home (`engine.forwarding.rotation`); the old one keeps signing alongside for a
grace period (`forwarding_secrets`), so receivers switch over without a failed delivery.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from engine.accounts.keys import load_key
from engine.errors import ConfigurationError, FieldProblem, SignatureError, ValidationError
from engine.forwarding.rotation import RotatedSecrets, read_rotated, write_rotated
from engine.webhooks.signature import header_value

__all__ = [
    "DEFAULT_GRACE_SECONDS",
    "DEFAULT_TOLERANCE_SECONDS",
    "FORWARD_SECRET_ENV",
    "forwarding_secret",
    "forwarding_secrets",
    "rotate_forwarding_secret",
    "secret_key_bytes",
    "sign_standard_webhook",
    "standard_webhook_headers",
    "verify_standard_webhook",
]

#: The environment variable overriding the forwarding secret (`whsec_` + base64).
FORWARD_SECRET_ENV = "UNIMAP_FORWARD_SECRET"
#: Deliveries signed further than this from the receiver's clock are refused (replays).
DEFAULT_TOLERANCE_SECONDS = 300
#: How long a rotated-out secret keeps signing alongside the new one (24 hours).
DEFAULT_GRACE_SECONDS = 24 * 3600
_PREFIX = "whsec_"


def secret_key_bytes(secret: str, *, source: str = "the webhook secret") -> bytes:
    """The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the spec).

    A malformed value raises `ConfigurationError` naming `source`, never quoting the value.
    """
    text = secret.strip()
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX) :]
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{source} is not 'whsec_' followed by base64") from None
    if not 24 <= len(key) <= 64:
        raise ConfigurationError(
            f"{source} decodes to {len(key)} bytes; expected between 24 and 64"
        )
    return key


def _configured(environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    configured = env.get(FORWARD_SECRET_ENV, "").strip()
    if not configured:
        return None
    secret_key_bytes(configured, source=FORWARD_SECRET_ENV)
    return configured if configured.startswith(_PREFIX) else _PREFIX + configured


def forwarding_secrets(
    home: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    now: float | None = None,
) -> list[str]:
    """The secrets a delivery made at `now` is signed with, current first: the previous one
    too while a rotation's grace period lasts (see the module doc)."""
    configured = _configured(environ)
    if configured:
        return [configured]
    key = load_key(home, environ=environ)
    rotated = read_rotated(home, key)
    if rotated is not None:
        return rotated.signing(time.time() if now is None else now)
    derived = hmac.new(key, b"unimap-webhook-forwarding", hashlib.sha256).digest()
    return [_PREFIX + base64.b64encode(derived).decode("ascii")]


def forwarding_secret(home: Path | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """The current secret forwarded webhooks are signed with, in `whsec_` form (see the
    module doc)."""
    return forwarding_secrets(home, environ=environ)[0]


def rotate_forwarding_secret(
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    home: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    now: float | None = None,
) -> str:
    """Make a new random secret current and return it; the one it replaces keeps signing
    alongside for `grace_seconds`, then is dropped. Refused (`ConfigurationError`) when the
    secret is set with `UNIMAP_FORWARD_SECRET`, which only its owner can change."""
    if grace_seconds < 0 or not math.isfinite(grace_seconds):
        raise ValidationError(
            "the grace period must be a finite number of seconds, 0 or more",
            details=[FieldProblem("grace", "must be 0 or more")],
        )
    if _configured(environ):
        raise ConfigurationError(
            f"the forwarding secret is set with {FORWARD_SECRET_ENV}; change it there "
            "(rotation keeps only secrets Unimap made)"
        )
    old = forwarding_secret(home, environ=environ)
    new = _PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    until = (time.time() if now is None else now) + grace_seconds
    write_rotated(home, load_key(home, environ=environ), RotatedSecrets(new, old, until))
    return new


def sign_standard_webhook(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value (`v1,<base64>`) of one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def standard_webhook_headers(
    secret: str | Sequence[str], message_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The three signature headers (plus the JSON content type) for one delivery attempt;
    with several secrets (a rotation), one space-separated signature per secret."""
    stamp = int(time.time()) if timestamp is None else timestamp
    keys = [secret] if isinstance(secret, str) else list(secret)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": " ".join(
            sign_standard_webhook(key, message_id, stamp, body) for key in keys
        ),
    }


def _timestamp(headers: Mapping[str, str], now: float, tolerance: float) -> int:
    raw = header_value(headers, "webhook-timestamp")
    try:
        stamp = int(raw or "")
    except ValueError:
        raise SignatureError("the webhook-timestamp header is missing or not a number") from None
    if abs(now - stamp) > tolerance:
        raise SignatureError(
            f"the webhook-timestamp is {int(now - stamp)} s away from now, outside the "
            f"{int(tolerance)} s tolerance (a replayed or delayed delivery)"
        )
    return stamp


def verify_standard_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> Any:
    """Check a Standard Webhooks delivery and return its parsed JSON body.

    Raises `SignatureError` (401) when a header is missing, the timestamp is further than
    `tolerance_seconds` from `now` (default: the current time; refuses replays of old
    deliveries), or no `v1` signature matches the raw `body`. Receivers should still
    de-duplicate by `webhook-id`: a retry carries the same id with a fresh timestamp.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    message_id = header_value(headers, "webhook-id")
    if not message_id:
        raise SignatureError("the webhook-id header is missing")
    stamp = _timestamp(headers, time.time() if now is None else now, tolerance_seconds)
    expected = sign_standard_webhook(secret, message_id, stamp, raw)
    offered = (header_value(headers, "webhook-signature") or "").split()
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise SignatureError("no webhook-signature matches the body (wrong secret or altered)")
    try:
        return json.loads(raw)
    except ValueError:
        raise SignatureError("the signed body is not JSON") from None
