"""Pagination families as small pure state machines.

A paginator turns a paging `state` (plain JSON data, so it fits in a unified cursor) into
query parameters, and a response into the next state or `None` when the last page was read.
Guards common to every family: an empty page ends the listing; a page identical to the one
before it (a provider repeating its last page) ends it without emitting duplicates; a
repeated cursor, page or link ends it; `max_pages` is a hard stop with an error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from engine.errors import RemoteError
from engine.format.pagination import (
    CursorPagination,
    NextLinkPagination,
    NoPagination,
    OffsetPagination,
    PagePagination,
    PaginationStyle,
)
from engine.loader import ProviderMapping

State = dict[str, Any]
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;[^,]*\brel="?next"?', re.IGNORECASE)


def page_fingerprint(records: list[Any], ids: list[Any] | None = None) -> str:
    """A short digest of a page, to notice a provider repeating a page.

    With the unified ids of every record (the cheap, usual case) the digest is over the ids in
    order; otherwise over the records themselves.
    """
    if ids and all(i is not None for i in ids):
        material = "\x1f".join(str(i) for i in ids).encode()
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

    def __init__(self, mapping: ProviderMapping, style: PaginationStyle) -> None:
        self.mapping = mapping
        self.style = style

    @property
    def max_pages(self) -> int:
        """The hard guard on pages for one listing."""
        return getattr(self.style, "max_pages", 1)

    def clamp_limit(self, limit: int | None) -> int | None:
        """The page size to ask for: the caller's, clamped to the provider's maximum."""
        default = getattr(self.style, "default_limit", None)
        maximum = getattr(self.style, "max_limit", None)
        if limit is None:
            return default
        return min(limit, maximum) if maximum else limit

    def limit_query(self, limit: int | None) -> list[tuple[str, str]]:
        """The page-size parameter, if the style has one."""
        param = getattr(self.style, "limit_param", None)
        return [(param, str(limit))] if param and limit is not None else []

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

    def value(self, source: str | None, body: Any) -> Any:
        """Evaluate a mapping expression over a response body."""
        return None if source is None else self.mapping.expression(source).search(body)


class CursorPaginator(Paginator):
    """`cursor`: an opaque cursor from the body or a header, sent back as a query parameter."""

    style: CursorPagination

    def query(self, state: State) -> list[tuple[str, str]]:
        """The cursor (or the legacy last-id fallback) of this page."""
        if state.get("cursor"):
            return [(self.style.cursor_param, str(state["cursor"]))]
        if state.get("after") is not None and self.style.fallback_after_param:
            return [(self.style.fallback_after_param, str(state["after"]))]
        return []

    def next_state(self, state: State, page: PageResult) -> State | None:
        """Follow the next cursor until it is missing, empty or repeats."""
        carried = self._common(state, page)
        if carried is None:
            return None
        if self.style.cursor_header:
            cursor = page.headers.get(self.style.cursor_header.lower())
        else:
            cursor = self.value(self.style.cursor_path, page.body)
        if cursor in (None, "") and self.style.fallback_after_path:
            after = self.value(self.style.fallback_after_path, page.body)
            if after is None or after == state.get("after"):
                return None
            return {**carried, "after": after}
        if cursor in (None, "") or cursor == state.get("cursor"):
            return None
        return {**carried, "cursor": str(cursor)}

    def prev_cursor(self, page: PageResult) -> str | None:
        """The provider's cursor of the previous page, when it gives one."""
        value = self.value(self.style.prev_cursor_path, page.body)
        return None if value in (None, "") else str(value)


class PagePaginator(Paginator):
    """`page`: numbered pages from `first_page`; stops on last page, total or an empty page."""

    style: PagePagination

    def first_state(self) -> State:
        """The explicit first page (0 or 1, as the provider counts)."""
        return {"page_no": 1, "page": self.style.first_page}

    def query(self, state: State) -> list[tuple[str, str]]:
        """The page number."""
        return [(self.style.page_param, str(state.get("page", self.style.first_page)))]

    def next_state(self, state: State, page: PageResult) -> State | None:
        """Next page number unless a stop rule says this was the last."""
        current = int(state.get("page", self.style.first_page))
        if not page.records and not self.style.stop_on_empty_page:
            # An empty page without the empty-page rule still cannot lead anywhere new.
            return None
        carried = self._common(state, page)
        if carried is None:
            return None
        last_page = self.value(self.style.last_page_path, page.body)
        if isinstance(last_page, int) and current >= last_page:
            return None
        total = self.value(self.style.total_path, page.body)
        pages_read = current - self.style.first_page + 1
        if isinstance(total, int) and pages_read * page.limit >= total:
            return None
        return {**carried, "page": current + 1}


class OffsetPaginator(Paginator):
    """`offset`: record offsets; stops on total, an empty page or (opt-in) a short page."""

    style: OffsetPagination

    def first_state(self) -> State:
        """The first offset."""
        return {"page_no": 1, "offset": self.style.first_offset}

    def query(self, state: State) -> list[tuple[str, str]]:
        """The offset."""
        return [(self.style.offset_param, str(state.get("offset", self.style.first_offset)))]

    def next_state(self, state: State, page: PageResult) -> State | None:
        """Advance by the records received."""
        carried = self._common(state, page)
        if carried is None:
            return None
        offset = int(state.get("offset", self.style.first_offset)) + len(page.records)
        total = self.value(self.style.total_path, page.body)
        if isinstance(total, int) and offset - self.style.first_offset >= total:
            return None
        if self.style.stop_on_short_page and len(page.records) < page.limit:
            return None
        return {**carried, "offset": offset}


class NextLinkPaginator(Paginator):
    """`next_link`: the next page's URL from a body path or the `Link` header."""

    style: NextLinkPagination

    def next_url(self, state: State) -> str | None:
        """The link to follow (checked by the driver against the base URL)."""
        url = state.get("url")
        return str(url) if url else None

    def query(self, state: State) -> list[tuple[str, str]]:
        """Nothing extra: the link carries its own query."""
        return []

    def link_query(self, url: str) -> list[tuple[str, str]]:
        """The query parameters a link already carries."""
        return parse_qsl(urlsplit(url).query, keep_blank_values=True)

    def next_state(self, state: State, page: PageResult) -> State | None:
        """Follow the next link until there is none or it repeats."""
        carried = self._common(state, page)
        if carried is None:
            return None
        url: Any = None
        if self.style.next_path:
            url = self.value(self.style.next_path, page.body)
        if not url and self.style.link_header:
            match = _LINK_NEXT.search(page.headers.get("link", ""))
            url = match.group(1) if match else None
        if not url or url == state.get("url"):
            return None
        return {**carried, "url": str(url)}


class SinglePage(Paginator):
    """`none`: one response holds everything."""


_FAMILIES: dict[type[Any], type[Paginator]] = {
    CursorPagination: CursorPaginator,
    PagePagination: PagePaginator,
    OffsetPagination: OffsetPaginator,
    NextLinkPagination: NextLinkPaginator,
    NoPagination: SinglePage,
}


def paginator_for(mapping: ProviderMapping, style_name: str | None) -> Paginator:
    """The paginator of a named style (`none` or no name: a single page)."""
    if style_name is None or style_name == "none":
        return SinglePage(mapping, NoPagination())
    style = mapping.provider.pagination[style_name]
    return _FAMILIES[type(style)](mapping, style)
