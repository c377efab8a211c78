"""Helpers shared by the handlers: offset paging and value checks."""

from __future__ import annotations

from typing import Any, TypeVar

from simulators.brevo.errors import ApiError, bad_request

T = TypeVar("T")


def int_param(query: dict[str, str], name: str, default: int) -> int:
    """An integer query parameter (400 `invalid_parameter` when not a non-negative integer)."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdecimal():
        raise bad_request(f"{name} should be a number")
    return int(raw)


def page(query: dict[str, str], items: list[T], default_limit: int, max_limit: int) -> list[T]:
    """`limit`/`offset` paging over `items` (already ordered); over the maximum is a 400."""
    limit = int_param(query, "limit", default_limit)
    offset = int_param(query, "offset", 0)
    if limit > max_limit:
        raise ApiError(400, "out_of_range", f"Limit exceeds max value {max_limit}")
    return items[offset : offset + limit]


def descending(query: dict[str, str]) -> bool:
    """`sort=asc|desc` (record creation order); Brevo's default is descending."""
    sort = query.get("sort", "desc") or "desc"
    if sort not in ("asc", "desc"):
        raise bad_request("sort should be one of asc, desc")
    return sort == "desc"


def int_list(value: Any, name: str) -> list[int]:
    """A JSON array of integers (400 otherwise)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise bad_request(f"{name} should be an array of integers")
    return list(value)


def boolean(value: Any, name: str) -> bool | None:
    """An optional JSON boolean (400 otherwise)."""
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad_request(f"{name} should be a boolean")
    return value
