"""Helpers shared by the handlers: 204 answers and collection envelopes."""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response


def no_content() -> SimResponse:
    """An empty 204."""
    return SimResponse(204)


def collection(key: str, items: list[Any], total: int, href: str, **extra: Any) -> SimResponse:
    """`{<key>: [...], **extra, total_items, _links}`."""
    body: dict[str, Any] = {key: items}
    body.update(extra)
    body["total_items"] = total
    body["_links"] = [{"rel": "self", "href": href, "method": "GET"}]
    return json_response(200, body)
