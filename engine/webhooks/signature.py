"""Webhook signatures: compute and verify the HMAC a provider puts in a header."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from engine.errors import SignatureError
from engine.format.provider import SignatureSpec

_DIGESTS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1, "sha512": hashlib.sha512}


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, looked up case-insensitively (None when absent)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def digest(spec: SignatureSpec, raw_body: bytes, secret: str) -> bytes:
    """The raw HMAC of `raw_body` keyed with `secret` (UTF-8)."""
    return hmac.new(secret.encode("utf-8"), raw_body, _DIGESTS[spec.algorithm]).digest()


def sign(spec: SignatureSpec, raw_body: bytes, secret: str) -> str:
    """The header value a provider following `spec` would send for `raw_body`."""
    mac = digest(spec, raw_body, secret)
    text = mac.hex() if spec.encoding == "hex" else base64.b64encode(mac).decode("ascii")
    return spec.prefix + text


def verify(spec: SignatureSpec, headers: Mapping[str, str], raw_body: bytes, secret: str) -> None:
    """Check the signature header of a delivery; raise `SignatureError` when missing or wrong.

    The header is found case-insensitively, the declared prefix is required, hex is compared
    case-insensitively and base64 after decoding, always in constant time over the bytes.
    """
    if not secret:
        raise SignatureError("no webhook secret is known for this delivery; cannot verify it")
    value = header_value(headers, spec.header)
    if value is None or not value.strip():
        raise SignatureError(f"the webhook delivery has no '{spec.header}' signature header")
    value = value.strip()
    if spec.prefix:
        if not value.startswith(spec.prefix):
            raise SignatureError(f"the '{spec.header}' header lacks the '{spec.prefix}' prefix")
        value = value[len(spec.prefix) :]
    try:
        given = (
            bytes.fromhex(value)
            if spec.encoding == "hex"
            else base64.b64decode(value, validate=True)
        )
    except (ValueError, binascii.Error):
        raise SignatureError(
            f"the '{spec.header}' header is not a {spec.encoding} digest"
        ) from None
    if not hmac.compare_digest(given, digest(spec, raw_body, secret)):
        raise SignatureError("the webhook signature does not match the body")
