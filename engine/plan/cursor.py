"""The unified cursor: opaque to callers, checked when it comes back.

A cursor carries the provider's paging state together with the call it continues (provider,
resource, filters, limit, route), as base64url JSON sealed with an HMAC-SHA256 tag. It never
carries a host or a path: the request it leads to is rebuilt from the mapping, so a cursor
cannot move a request anywhere the mapping does not declare. Next-page links kept in the
state are re-checked against the base URL by the driver.

The HMAC key is given by the caller (the engine takes it from `engine.accounts.keys.cursor_key`:
`UNIMAP_CURSOR_KEY`, else derived from the installation's secret key), so this module reads
no environment and no file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

from engine.errors import InvalidCursorError

_VERSION = 1
_TAG_BYTES = 16
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\.[a-z_][a-z0-9_]{0,63}")

MAX_CURSOR_CHARS = 1_000_000
"""The longest cursor accepted (a scan across parents keeps a page of parent ids in it)."""


@dataclass(frozen=True)
class CursorPayload:
    """What a unified cursor holds."""

    provider: str
    resource: str
    filters: dict[str, Any]
    limit: int | None
    route: int
    state: dict[str, Any]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(payload: CursorPayload, key: bytes) -> str:
    """Seal a payload into an opaque cursor string."""
    data = json.dumps(
        {
            "v": _VERSION,
            "p": payload.provider,
            "r": payload.resource,
            "f": payload.filters,
            "l": payload.limit,
            "rt": payload.route,
            "s": payload.state,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    tag = hmac.new(key, data, hashlib.sha256).digest()[:_TAG_BYTES]
    return _b64(data) + "." + _b64(tag)


def decode_cursor(cursor: str, key: bytes, *, provider: str, resource: str) -> CursorPayload:
    """Open a cursor, rejecting a tampered, truncated or foreign one with `invalid_cursor`."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise InvalidCursorError("the cursor is malformed (truncated or not from Unimap)")
    data_text, tag_text = cursor.split(".")
    try:
        data = _unb64(data_text)
        tag = _unb64(tag_text)
    except (binascii.Error, ValueError):
        raise InvalidCursorError("the cursor is malformed (not base64url)") from None
    if _b64(data) != data_text or _b64(tag) != tag_text:
        # The decoder ignores stray characters and unused trailing bits: only the exact
        # encoding the engine produced is accepted, so any altered character is rejected.
        raise InvalidCursorError("the cursor was altered (not the encoding Unimap produced)")
    expected = hmac.new(key, data, hashlib.sha256).digest()[:_TAG_BYTES]
    if not hmac.compare_digest(tag, expected):
        raise InvalidCursorError("the cursor was altered, truncated or sealed with another key")
    try:
        raw: Any = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidCursorError("the cursor is malformed") from None
    if not isinstance(raw, dict) or raw.get("v") != _VERSION:
        raise InvalidCursorError("the cursor is from an unsupported version")
    if raw.get("p") != provider or raw.get("r") != resource:
        owner = f"{raw.get('p')}.{raw.get('r')}"
        named = _NAME.fullmatch(owner) is not None
        raise InvalidCursorError(
            f"the cursor belongs to {owner if named else 'another call'}, "
            f"not {provider}.{resource}"
        )
    filters, state, limit, route = raw.get("f"), raw.get("s"), raw.get("l"), raw.get("rt")
    if not (isinstance(filters, dict) and isinstance(state, dict) and _integer(route)):
        raise InvalidCursorError("the cursor is malformed")
    if limit is not None and not (_integer(limit) and limit >= 1):
        raise InvalidCursorError("the cursor is malformed (its page size is not a count)")
    return CursorPayload(provider, resource, filters, limit, route, state)


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
