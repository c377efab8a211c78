"""Webhook authentication: the HMAC a provider puts in a header, or the secret token an
unsigned provider carries in the delivery URL's query (`signature.type: url_token`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from engine.errors import SignatureError

if TYPE_CHECKING:
    from engine.format.provider import SignatureSpec, UrlTokenSignature

_DIGESTS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1, "sha512": hashlib.sha512}


Headers = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str | bytes, str | bytes]]
"""Request headers as a web framework gives them: a mapping (text or bytes, as in WSGI or a
Starlette `request.headers`) or the (name, value) pairs of an ASGI scope (bytes)."""


def _text(value: object) -> str | None:
    """A header name or value as text: bytes are decoded as Latin-1 (what HTTP carries)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, str) else None


def header_value(headers: Headers, name: str) -> str | None:
    """The value of header `name`, looked up case-insensitively (None when absent). Names and
    values may be text or bytes; a value of any other type counts as absent."""
    wanted = name.lower()
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in pairs:
        text = _text(key)
        if text is not None and text.lower() == wanted:
            return _text(value)
    return None


def digest(spec: SignatureSpec, raw_body: bytes, secret: str) -> bytes:
    """The raw HMAC of `raw_body` keyed with `secret` (UTF-8)."""
    return hmac.new(secret.encode("utf-8"), raw_body, _DIGESTS[spec.algorithm]).digest()


def sign(spec: SignatureSpec, raw_body: bytes, secret: str) -> str:
    """The header value a provider following `spec` would send for `raw_body`."""
    mac = digest(spec, raw_body, secret)
    text = mac.hex() if spec.encoding == "hex" else base64.b64encode(mac).decode("ascii")
    return spec.prefix + text


def verify(spec: SignatureSpec, headers: Headers, raw_body: bytes, secret: str) -> None:
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


QueryInput = Mapping[str, str] | Sequence[tuple[str, str]] | str | None


def query_pairs(url: str | None, query: QueryInput) -> list[tuple[str, str]]:
    """The delivery's query parameters, from `query` (a mapping, pairs or a raw query
    string) and/or the full request `url`."""
    pairs: list[tuple[str, str]] = []
    if url:
        pairs += parse_qsl(urlsplit(url).query, keep_blank_values=True)
    if isinstance(query, str):
        pairs += parse_qsl(query.lstrip("?"), keep_blank_values=True)
    elif isinstance(query, Mapping):
        pairs += [(str(k), str(v)) for k, v in query.items()]
    elif query is not None:
        pairs += [(str(k), str(v)) for k, v in query]
    return pairs


def verify_url_token(
    spec: UrlTokenSignature, pairs: Sequence[tuple[str, str]], secret: str
) -> None:
    """Check the delivery URL's token; raise `SignatureError` when missing, repeated or wrong.

    The comparison runs in constant time over the UTF-8 bytes.
    """
    if not secret:
        raise SignatureError("no webhook secret is known for this delivery; cannot verify it")
    tokens = [value for name, value in pairs if name == spec.param]
    if not tokens or not tokens[0]:
        raise SignatureError(
            f"the webhook delivery URL has no '{spec.param}' token (pass url= or query=)"
        )
    if len(tokens) > 1:
        raise SignatureError(f"the webhook delivery URL has more than one '{spec.param}' token")
    if not hmac.compare_digest(tokens[0].encode("utf-8"), secret.encode("utf-8")):
        raise SignatureError("the webhook URL token does not match")


def with_url_token(spec: UrlTokenSignature, url: str, token: str) -> str:
    """`url` with the token added to its query (the URL a provider is asked to call)."""
    parts = urlsplit(url)
    if any(name == spec.param for name, _ in parse_qsl(parts.query, keep_blank_values=True)):
        raise SignatureError(f"the webhook URL already has a '{spec.param}' parameter")
    extra = urlencode({spec.param: token})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return parts._replace(query=query).geturl()
