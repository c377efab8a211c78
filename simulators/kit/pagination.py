"""Kit v4 cursor pagination: `after`/`before` cursors, `per_page` (default 500, maximum 1000).

Every list answers `pagination: {has_previous_page, has_next_page, start_cursor, end_cursor,
per_page}` (plus `total_count` with `include_total_count=true`). `?after=<end_cursor>` is the next
page, `?before=<start_cursor>` the previous one (the `per_page` records right before it). Cursors
are opaque base64 strings; the simulator encodes the sort key of a record (Kit's look like
`WzExXQ==`, base64 of `[11]`), so a cursor stays valid when records around it change.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from simulators.kit.errors import invalid

T = TypeVar("T")

DEFAULT_PER_PAGE = 500
MAX_PER_PAGE = 1000

Key = tuple[Any, ...]


def encode_cursor(key: Key) -> str:
    """The opaque cursor for a sort key."""
    return base64.b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> Key:
    """The sort key in a cursor; 422 when it is not one of ours."""
    try:
        value = json.loads(base64.b64decode(cursor.encode(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid("Cursor is invalid") from None
    if not isinstance(value, list) or not value:
        raise invalid("Cursor is invalid")
    return tuple(value)


def per_page(query: dict[str, str]) -> int:
    """`per_page` from the query (default 500); 422 outside 1..1000."""
    raw = query.get("per_page", "")
    if raw == "":
        return DEFAULT_PER_PAGE
    try:
        value = int(raw)
    except ValueError:
        raise invalid("Per page must be a number") from None
    if value < 1 or value > MAX_PER_PAGE:
        raise invalid(f"Per page must be between 1 and {MAX_PER_PAGE}")
    return value


def truthy(value: str | None) -> bool:
    """Rails-style boolean query parameter."""
    return (value or "").lower() in ("true", "1", "yes")


def paginate(
    items: Sequence[T],
    key: Callable[[T], Key],
    query: dict[str, str],
    descending: bool = False,
) -> tuple[list[T], dict[str, Any]]:
    """One page of `items` (already in list order) and its `pagination` object."""
    size = per_page(query)
    keys = [key(item) for item in items]

    def comes_after(a: Key, b: Key) -> bool:
        return a < b if descending else a > b

    after, before = query.get("after") or "", query.get("before") or ""
    if after:
        pivot = decode_cursor(after)
        start = next((i for i, k in enumerate(keys) if comes_after(k, pivot)), len(keys))
        end = min(start + size, len(keys))
    elif before:
        pivot = decode_cursor(before)
        end = next((i for i, k in enumerate(keys) if not comes_after(pivot, k)), len(keys))
        start = max(0, end - size)
    else:
        start, end = 0, min(size, len(keys))
    page = list(items[start:end])
    pagination: dict[str, Any] = {
        "has_previous_page": start > 0,
        "has_next_page": end < len(keys),
        "start_cursor": encode_cursor(keys[start]) if page else None,
        "end_cursor": encode_cursor(keys[end - 1]) if page else None,
        "per_page": size,
    }
    if truthy(query.get("include_total_count")):
        pagination["total_count"] = len(items)
    return page, pagination
