"""Paging states read back from a cursor, checked field by field before any request is built.

A cursor is sealed, so only a holder of the cursor key can make one; still, a state from
another version, another mapping or a leaked key must not become an exception or a request
the engine would never send (`page=-1`, `offset=10^12`, a megabyte of cursor text). Every
field a paginator family writes is checked for its type and range, fields it never writes
are refused, and any problem is `invalid_cursor`.
"""

from __future__ import annotations

import math
from typing import Any

from engine.errors import InvalidCursorError
from engine.plan.paging import Paginator, State

__all__ = ["MAX_INDEX", "MAX_TEXT", "check_state", "checked_pairs"]

MAX_TEXT = 4096
"""The longest text a paging state may hold (a provider cursor, a next-page link)."""
MAX_INDEX = 2**31 - 1
"""The largest page number or offset a state may hold."""


def _invalid(what: str) -> InvalidCursorError:
    return InvalidCursorError(f"the cursor's paging state is invalid: {what}")


def _integer(state: State, key: str, low: int, high: int) -> None:
    value = state.get(key)
    if key in state and not (
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    ):
        raise _invalid(f"'{key}' must be an integer from {low} to {high}")


def _text(state: State, key: str, *, scalar: bool = False) -> None:
    if key not in state:
        return
    value = state[key]
    if isinstance(value, str) and 0 < len(value) <= MAX_TEXT:
        return
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if scalar and number and math.isfinite(value) and abs(value) < 2**63:
        return
    kind = "text or a number" if scalar else "text"
    raise _invalid(f"'{key}' must be {kind} of at most {MAX_TEXT} characters")


def _family_fields(paginator: Paginator, state: State) -> set[str]:
    """Check the family's own fields; return their names."""
    style = paginator.style
    if style.type == "cursor":
        _text(state, "cursor")
        _text(state, "after", scalar=True)
        if "dir" in state and state["dir"] != "prev":
            raise _invalid("'dir' must be 'prev'")
        return {"cursor", "after", "dir"}
    if style.type == "page":
        _integer(state, "page", style.first_page, MAX_INDEX)
        return {"page"}
    if style.type == "offset":
        _integer(state, "offset", style.first_offset, MAX_INDEX)
        return {"offset"}
    if style.type == "next_link":
        _text(state, "url")
        return {"url"}
    return set()


def check_state(paginator: Paginator, state: Any) -> State:
    """`state` when every field is one `paginator` writes, of the right type and range;
    otherwise `InvalidCursorError` (the values are not quoted)."""
    if not isinstance(state, dict):
        raise _invalid("not an object")
    _integer(state, "page_no", 1, paginator.max_pages)
    fingerprint = state.get("fp")
    if "fp" in state and not (
        isinstance(fingerprint, str)
        and len(fingerprint) <= 64
        and all(c in "0123456789abcdef" for c in fingerprint)
    ):
        raise _invalid("'fp' must be a page fingerprint")
    unknown = set(state) - {"page_no", "fp"} - _family_fields(paginator, state)
    if unknown:
        names = ", ".join(sorted(repr(name)[:40] for name in unknown))
        raise _invalid(f"unknown field(s) {names}")
    return state


def checked_pairs(value: Any, *, most: int = 1000) -> list[tuple[str, str]]:
    """Query pairs read back from a cursor: a list of at most `most` lists of two texts of at
    most 16 times `MAX_TEXT` characters each, the name not empty (a caller's own query, kept
    as given)."""
    if not isinstance(value, list) or len(value) > most:
        raise InvalidCursorError("the cursor is malformed (its query is not a list of pairs)")
    pairs: list[tuple[str, str]] = []
    for item in value:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(part, str) and len(part) <= 16 * MAX_TEXT for part in item)
            and item[0]  # a name, as the proxy requires of every query pair
        ):
            raise InvalidCursorError("the cursor is malformed (its query is not a list of pairs)")
        pairs.append((item[0], item[1]))
    return pairs
