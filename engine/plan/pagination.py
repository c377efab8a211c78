"""Pagination families as small pure state machines, one paginator object per family.

A paginator turns a paging `state` (plain JSON data, so it fits in a unified cursor) into
query parameters, and a response into the next (or previous) state, or `None` when there is
none. It also names the query parameters it owns (so the proxy can strip a caller's own) and
describes its stop rules for `--explain`. Unified listings and the paginated proxy use it alike.
Guards common to every family: an empty page ends the listing; a page identical to the one
before it (a provider repeating its last page) ends it without emitting duplicates; a
repeated cursor, page or link ends it; `max_pages` is a hard stop with an error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from engine.format.frozen import twin
from engine.loader import ProviderMapping
from engine.plan.paging import Paged, PageResult, Paginator, State, page_fingerprint

if TYPE_CHECKING:
    from engine.format.pagination import (
        CursorPagination,
        NextLinkPagination,
        NoPagination,
        OffsetPagination,
        PagePagination,
    )

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;[^,]*\brel="?next"?', re.IGNORECASE)
_LINK_PREV = re.compile(r'<([^>]+)>\s*;[^,]*\brel="?prev(?:ious)?"?', re.IGNORECASE)


class CursorPaginator(Paged):
    """`cursor`: an opaque cursor from the body or a header, sent back as a query parameter.

    Going back sends the provider's previous cursor in `prev_cursor_param` (default
    `cursor_param`); the state remembers the direction (`dir: prev`).
    """

    style: CursorPagination

    def paging_params(self) -> set[str]:
        """Cursor parameters (next, previous, fallback) and the page size."""
        names = {self.style.cursor_param, self.style.prev_cursor_param}
        names |= {self.style.fallback_after_param, self.limit_param}
        return {name for name in names if name}

    def query(self, state: State) -> list[tuple[str, str]]:
        """The cursor (or the legacy last-id fallback) of this page."""
        if state.get("cursor"):
            param = self.style.cursor_param
            if state.get("dir") == "prev" and self.style.prev_cursor_param:
                param = self.style.prev_cursor_param
            return [(param, str(state["cursor"]))]
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
        if cursor in (None, "") or (cursor == state.get("cursor") and state.get("dir") != "prev"):
            return None
        return {**carried, "cursor": str(cursor)}

    def prev_state(self, state: State, page: PageResult) -> State | None:
        """The provider's cursor of the previous page, when it gives one."""
        value = self.value(self.style.prev_cursor_path, page.body)
        if value in (None, ""):
            return None
        return {**self._back(state), "cursor": str(value), "dir": "prev"}

    def previous_rule(self) -> str | None:
        """The previous cursor's source and parameter."""
        if self.style.prev_cursor_path is None:
            return None
        param = self.style.prev_cursor_param or self.style.cursor_param
        return f"{self.style.prev_cursor_path} sent as '{param}'"

    def _own_stop_rules(self) -> list[str]:
        return ["no next cursor (or a repeated one)"]


class PagePaginator(Paged):
    """`page`: numbered pages from `first_page`; stops on last page, total or an empty page."""

    style: PagePagination

    def paging_params(self) -> set[str]:
        """The page number and the page size."""
        return super().paging_params() | {self.style.page_param}

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

    def prev_state(self, state: State, page: PageResult) -> State | None:
        """The page number before this one, unless this is the first page."""
        current = int(state.get("page", self.style.first_page))
        if current <= self.style.first_page:
            return None
        return {**self._back(state), "page": current - 1}

    def previous_rule(self) -> str | None:
        """Page numbers count down to `first_page`."""
        return f"page number minus one (down to {self.style.first_page})"

    def _own_stop_rules(self) -> list[str]:
        rules = []
        if self.style.total_path:
            rules.append(f"all of {self.style.total_path} records read")
        if self.style.last_page_path:
            rules.append(f"page number reaches {self.style.last_page_path}")
        return rules


class OffsetPaginator(Paged):
    """`offset`: record offsets; stops on total, an empty page or (opt-in) a short page."""

    style: OffsetPagination

    def paging_params(self) -> set[str]:
        """The offset and the page size."""
        return super().paging_params() | {self.style.offset_param}

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

    def prev_state(self, state: State, page: PageResult) -> State | None:
        """One page size back, not before `first_offset`."""
        offset = int(state.get("offset", self.style.first_offset))
        if offset <= self.style.first_offset:
            return None
        return {**self._back(state), "offset": max(self.style.first_offset, offset - page.limit)}

    def previous_rule(self) -> str | None:
        """Offsets count down by one page size."""
        return f"offset minus the page size (down to {self.style.first_offset})"

    def _own_stop_rules(self) -> list[str]:
        return [f"all of {self.style.total_path} records read"] if self.style.total_path else []

    def _late_stop_rules(self) -> list[str]:
        return ["a short page"] if self.style.stop_on_short_page else []


class NextLinkPaginator(Paged):
    """`next_link`: the next page's URL from a body path or the `Link` header."""

    style: NextLinkPagination

    @property
    def keep_query(self) -> bool:
        """Whether the original query is re-sent with a followed link."""
        return self.style.keep_query

    def next_url(self, state: State) -> str | None:
        """The link to follow (checked by the driver against the base URL)."""
        url = state.get("url")
        return str(url) if url else None

    def link_query(self, url: str) -> list[tuple[str, str]]:
        """The query parameters a link already carries."""
        return parse_qsl(urlsplit(url).query, keep_blank_values=True)

    def next_state(self, state: State, page: PageResult) -> State | None:
        """Follow the next link until there is none or it repeats."""
        carried = self._common(state, page)
        if carried is None:
            return None
        url = self._link(self.style.next_path, _LINK_NEXT, page)
        if not url or url == state.get("url"):
            return None
        return {**carried, "url": url}

    def prev_state(self, state: State, page: PageResult) -> State | None:
        """The previous page's link, when the provider gives one."""
        url = self._link(self.style.prev_path, _LINK_PREV, page)
        return {**self._back(state), "url": url} if url else None

    def _link(self, path: str | None, pattern: re.Pattern[str], page: PageResult) -> str | None:
        url: Any = self.value(path, page.body) if path else None
        if not url and self.style.link_header:
            match = pattern.search(page.headers.get("link", ""))
            url = match.group(1) if match else None
        return str(url) if url else None

    def previous_rule(self) -> str | None:
        """The previous link's source."""
        sources = [self.style.prev_path] if self.style.prev_path else []
        sources += ['the Link header (rel="prev")'] if self.style.link_header else []
        return " or ".join(sources) or None

    def _own_stop_rules(self) -> list[str]:
        return ["no next link (or a repeated one)"]


class SinglePage(Paginator):
    """`none`: one response holds everything."""

    style: NoPagination


_FAMILIES: dict[str, type[Paginator]] = {
    "cursor": CursorPaginator,
    "page": PagePaginator,
    "offset": OffsetPaginator,
    "next_link": NextLinkPaginator,
    "none": SinglePage,
}
_NO_PAGINATION = twin("engine.format.pagination.NoPagination", type="none")
"""The style of an operation without pagination (the twin of `NoPagination()`)."""


def paginator_for(mapping: ProviderMapping, style_name: str | None) -> Paginator:
    """The paginator of a named style (`none` or no name: a single page)."""
    if style_name is None or style_name == "none":
        return SinglePage(mapping, _NO_PAGINATION)
    style = mapping.provider.pagination[style_name]
    return _FAMILIES[style.type](mapping, style)


__all__ = [
    "CursorPaginator",
    "NextLinkPaginator",
    "OffsetPaginator",
    "PagePaginator",
    "PageResult",
    "Paginator",
    "SinglePage",
    "State",
    "page_fingerprint",
    "paginator_for",
]
