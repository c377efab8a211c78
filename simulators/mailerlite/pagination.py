"""Cursor and page pagination, shaped like Laravel's paginators (which MailerLite uses).

Cursor endpoints (`/subscribers`, group and segment subscribers) walk an ascending list of ids
from the newest end. Cursors are unpadded URL-safe base64 of compact JSON such as
`{"id":72582164646987136,"_pointsToNextItems":true}`; `links.next`/`links.prev` carry only
`?cursor=...` (the caller's `limit` and filters are dropped, as the real API does).

Page endpoints (groups, segments, fields, webhooks) return Laravel's length-aware envelope whose
links carry only `?page=N`.
"""

from __future__ import annotations

import base64
import bisect
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simulators.mailerlite.messages import validation_error

JsonDict = dict[str, Any]


def encode_cursor(ident: int, points_to_next: bool) -> str:
    """An opaque cursor for the row `ident`."""
    raw = json.dumps({"id": ident, "_pointsToNextItems": points_to_next}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, bool] | None:
    """`(id, points_to_next)` from a cursor, or None when it is not a valid cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        ident = data["id"]
        forward = data.get("_pointsToNextItems", True)
        if isinstance(ident, int) and isinstance(forward, bool):
            return ident, forward
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def parse_limit(
    query: dict[str, str], default: int, *, minimum: int = 1, maximum: int | None = None
) -> int:
    """Read `limit`, raising 422 errors in Laravel's words when it is not acceptable."""
    raw = query.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation_error({"limit": ["The limit must be an integer."]}) from None
    if value < minimum:
        raise validation_error({"limit": [f"The limit must be at least {minimum}."]})
    if maximum is not None and value > maximum:
        raise validation_error({"limit": [f"The limit may not be greater than {maximum}."]})
    return value


@dataclass(slots=True)
class CursorPage:
    """The ids of one cursor page (newest first) and the cursors around it."""

    ids: list[int]
    next_cursor: str | None
    prev_cursor: str | None


def cursor_page(
    order: Sequence[int],
    cursor: str | None,
    limit: int,
    keep: Callable[[int], bool] | None = None,
) -> CursorPage:
    """Slice one page out of `order` (ascending ids), newest first.

    `keep` filters ids (e.g. by status); only about `limit` matching ids are visited plus what
    the filter skips, so the cost is O(page) for common filters. An invalid cursor is ignored
    (first page), like Laravel does.
    """
    decoded = decode_cursor(cursor) if cursor else None
    found: list[int] = []
    if decoded is None or decoded[1]:
        index = len(order) - 1 if decoded is None else bisect.bisect_left(order, decoded[0]) - 1
        while index >= 0 and len(found) <= limit:
            ident = order[index]
            if keep is None or keep(ident):
                found.append(ident)
            index -= 1
        has_more = len(found) > limit
        page = found[:limit]
        next_cursor = encode_cursor(page[-1], True) if has_more and page else None
        prev_cursor = encode_cursor(page[0], False) if decoded is not None and page else None
        return CursorPage(page, next_cursor, prev_cursor)
    index = bisect.bisect_right(order, decoded[0])
    while index < len(order) and len(found) <= limit:
        ident = order[index]
        if keep is None or keep(ident):
            found.append(ident)
        index += 1
    has_more = len(found) > limit
    page = list(reversed(found[:limit]))
    next_cursor = encode_cursor(page[-1], True) if page else None
    prev_cursor = encode_cursor(page[0], False) if has_more and page else None
    return CursorPage(page, next_cursor, prev_cursor)


def cursor_envelope(data: list[Any], page: CursorPage, path_url: str, per_page: int) -> JsonDict:
    """`{"data", "links", "meta"}` of a cursor page; links carry only `?cursor=`."""
    return {
        "data": data,
        "links": {
            "first": None,
            "last": None,
            "prev": f"{path_url}?cursor={page.prev_cursor}" if page.prev_cursor else None,
            "next": f"{path_url}?cursor={page.next_cursor}" if page.next_cursor else None,
        },
        "meta": {
            "path": path_url,
            "per_page": per_page,
            "next_cursor": page.next_cursor,
            "prev_cursor": page.prev_cursor,
        },
    }


def parse_page(query: dict[str, str]) -> int:
    """The requested page number (anything invalid means page 1, as in Laravel)."""
    raw = query.get("page", "")
    return int(raw) if raw.isdecimal() and int(raw) >= 1 else 1


def _window(current: int, last: int, on_each_side: int = 3) -> list[int | None]:
    """Laravel's UrlWindow: page numbers to link, `None` standing for a `...` separator."""
    if last < on_each_side * 2 + 8:
        return list(range(1, last + 1))
    window = on_each_side + 4
    start = [1, 2]
    finish = [last - 1, last]
    if current <= window:
        return [*range(1, window + on_each_side + 1), None, *finish]
    if current > last - window:
        return [*start, None, *range(last - (window + (on_each_side - 1)), last + 1)]
    middle = range(current - on_each_side, current + on_each_side + 1)
    return [*start, None, *middle, None, *finish]


def page_envelope(
    items: list[Any], total: int, page: int, per_page: int, path_url: str
) -> JsonDict:
    """Laravel's length-aware page envelope; `items` is the whole (filtered, sorted) list."""
    last_page = max(math.ceil(total / per_page), 1)
    offset = (page - 1) * per_page
    data = items[offset : offset + per_page]

    def url(number: int) -> str:
        return f"{path_url}?page={number}"

    links: list[JsonDict] = [
        {"url": url(page - 1) if page > 1 else None, "label": "&laquo; Previous", "active": False}
    ]
    for number in _window(page, last_page):
        if number is None:
            links.append({"url": None, "label": "...", "active": False})
        else:
            links.append({"url": url(number), "label": str(number), "active": number == page})
    links.append(
        {
            "url": url(page + 1) if page < last_page else None,
            "label": "Next &raquo;",
            "active": False,
        }
    )
    return {
        "data": data,
        "links": {
            "first": url(1),
            "last": url(last_page),
            "prev": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < last_page else None,
        },
        "meta": {
            "current_page": page,
            "from": offset + 1 if data else None,
            "last_page": last_page,
            "links": links,
            "path": path_url,
            "per_page": per_page,
            "to": offset + len(data) if data else None,
            "total": total,
        },
    }
