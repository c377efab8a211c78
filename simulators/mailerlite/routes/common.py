"""Helpers shared by the page-paginated list endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from simulators.core.messages import SimResponse, json_response
from simulators.mailerlite.messages import validation_error
from simulators.mailerlite.pagination import page_envelope, parse_limit, parse_page
from simulators.mailerlite.router import Context

T = TypeVar("T")


def sorted_by(
    ctx: Context, items: list[T], keys: dict[str, Callable[[T], Any]], tie: Callable[[T], int]
) -> list[T]:
    """Apply `sort` (`name` ascending, `-name` descending; ties by id); 422 when unknown."""
    raw = ctx.query.get("sort", "")
    if not raw:
        return sorted(items, key=tie)
    descending = raw.startswith("-")
    name = raw.lstrip("-")
    key = keys.get(name)
    if key is None:
        raise validation_error({"sort": ["The selected sort is invalid."]})
    ordered = sorted(items, key=tie)
    return sorted(ordered, key=key, reverse=descending)


def page_response(ctx: Context, items: list[Any], path: str, default_limit: int) -> SimResponse:
    """A 200 page envelope over the already filtered and sorted JSON `items`."""
    per_page = parse_limit(ctx.query, default_limit)
    page = parse_page(ctx.query)
    return json_response(
        200, page_envelope(items, len(items), page, per_page, f"{ctx.api_url}/{path}")
    )
