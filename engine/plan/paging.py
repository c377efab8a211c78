"""The paginator base: paging state, one page's result, and the guards shared by families.

See `engine.plan.pagination` for the families themselves.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import RemoteError
from engine.loader import ProviderMapping

if TYPE_CHECKING:
    from engine.format.pagination import (
        CursorPagination,
        NextLinkPagination,
        OffsetPagination,
        PagePagination,
        PaginationStyle,
    )

_INTEGERS = {int}

State = dict[str, Any]
"""A paging state: plain JSON data, so it fits in a unified cursor."""


def page_fingerprint(records: list[Any], ids: list[Any] | None = None) -> str:
    """A short digest of a page, to notice a provider repeating a page.

    With an id for every record (the cheap, usual case: the provider values the unified ids
    are made of) the digest is over the ids in order, integer ids packed as 64-bit words;
    otherwise over the records themselves.
    """
    if ids and None not in ids:
        material = b""
        if set(map(type, ids)) == _INTEGERS:  # not `True` for 1, not text
            with suppress(OverflowError):  # beyond 64 bits: their text
                material = array("q", ids).tobytes()
        material = material or repr(ids).encode()
    else:
        material = json.dumps(records, sort_keys=True, default=str).encode()
    return hashlib.sha256(material).hexdigest()[:16]


@dataclass(frozen=True)
class PageResult:
    """What a paginator needs from one response."""

    body: Any
    headers: Mapping[str, str]
    records: list[Any]
    limit: int
    fingerprint: str | None = None
    """`page_fingerprint(records)` when the caller already computed it."""


class Paginator:
    """One pagination style applied to one operation; subclasses per family."""

    style: PaginationStyle

    def __init__(self, mapping: ProviderMapping, style: PaginationStyle) -> None:
        self.mapping = mapping
        self.style = style

    @property
    def max_pages(self) -> int:
        """The hard guard on pages for one listing."""
        return 1

    @property
    def limit_param(self) -> str | None:
        """The query parameter carrying the page size, if any."""
        return None

    @property
    def keep_query(self) -> bool:
        """Whether a followed link is sent with the operation's own query parameters."""
        return True

    def clamp_limit(self, limit: int | None) -> int | None:
        """The page size to ask for: the caller's, clamped to the provider's maximum."""
        return limit

    def limit_query(self, limit: int | None) -> list[tuple[str, str]]:
        """The page-size parameter, if the style has one."""
        param = self.limit_param
        return [(param, str(limit))] if param and limit is not None else []

    def paging_params(self) -> set[str]:
        """Query parameters this paginator sets itself (page size included)."""
        return {self.limit_param} if self.limit_param else set()

    def first_state(self) -> State:
        """State of the first page."""
        return {"page_no": 1}

    def query(self, state: State) -> list[tuple[str, str]]:
        """Paging parameters for the page described by `state`."""
        return []

    def next_url(self, state: State) -> str | None:
        """A provider URL to fetch instead of the operation's path (next_link only)."""
        return None

    def next_state(self, state: State, page: PageResult) -> State | None:
        """The state of the following page, or None after the last one."""
        return None

    def prev_state(self, state: State, page: PageResult) -> State | None:
        """The state of the page before this one, or None on the first page."""
        return None

    def stop_rules(self) -> list[str]:
        """What ends a listing, in words (for `--explain`)."""
        return ["a single response"]

    def describe(self, page_limit: int | None) -> dict[str, Any]:
        """The pagination plan of a listing, for `--explain`."""
        return {
            "style": self.style.type,
            "page_size": page_limit,
            "max_pages": self.max_pages,
            "stop_rules": self.stop_rules(),
            "previous_page": self.previous_rule(),
        }

    def previous_rule(self) -> str | None:
        """How a previous page is reached, in words (None: it cannot be)."""
        return None

    def value(self, source: str | None, body: Any) -> Any:
        """Evaluate a mapping expression over a response body."""
        return None if source is None else self.mapping.expression(source).search(body)


class Paged(Paginator):
    """Families with a page size, `max_pages` and the shared guards."""

    style: CursorPagination | PagePagination | OffsetPagination | NextLinkPagination

    @property
    def max_pages(self) -> int:
        """The hard guard on pages for one listing."""
        return self.style.max_pages

    @property
    def limit_param(self) -> str | None:
        """The query parameter carrying the page size, if any."""
        return self.style.limit_param

    def clamp_limit(self, limit: int | None) -> int | None:
        """The caller's page size clamped to `max_limit`, else `default_limit`."""
        return self.style.default_limit if limit is None else min(limit, self.style.max_limit)

    def stop_rules(self) -> list[str]:
        """The family's own rules, then the shared guards."""
        return [
            *self._own_stop_rules(),
            "an empty page",
            "a page identical to the previous one",
            *self._late_stop_rules(),
            f"max_pages ({self.max_pages}) as a hard guard",
        ]

    def _own_stop_rules(self) -> list[str]:
        return []

    def _late_stop_rules(self) -> list[str]:
        return []

    def _common(self, state: State, page: PageResult) -> State | None:
        """Guards shared by every family; returns the carried-over state or None to stop."""
        if not page.records:
            return None
        fingerprint = page.fingerprint or page_fingerprint(page.records)
        if fingerprint == state.get("fp"):
            return None
        page_no = int(state.get("page_no", 1)) + 1
        if page_no > self.max_pages:
            raise RemoteError(
                f"stopped after max_pages={self.max_pages} pages: the provider kept returning "
                "more (raise max_pages in the mapping if this is expected)",
                remote=False,
            )
        return {"page_no": page_no, "fp": fingerprint}

    @staticmethod
    def _back(state: State) -> State:
        """The carried-over part of a previous-page state."""
        return {"page_no": max(1, int(state.get("page_no", 1)) - 1)}


