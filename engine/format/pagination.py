"""Pagination families: each with explicit stop rules and a `max_pages` guard."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from engine.format.common import Expression, Strict

DEFAULT_MAX_PAGES = 100_000


class _PaginationBase(Strict):
    """Names of the fields holding expressions (compiled by the loader)."""

    def problems(self) -> list[str]:
        """Structural problems the field types cannot express (e.g. a missing stop rule)."""
        return []

    max_pages: int = Field(
        default=DEFAULT_MAX_PAGES,
        ge=1,
        description="Hard guard: iteration stops with an error after this many pages.",
    )
    limit_param: str | None = Field(
        default=None, description="Query parameter carrying the page size, if any."
    )
    default_limit: int = Field(
        default=100, ge=1, description="Page size when the caller gives none."
    )
    max_limit: int = Field(
        default=1000,
        ge=1,
        description="Largest page size the provider accepts; larger asks are clamped.",
    )


class CursorPagination(_PaginationBase):
    """An opaque cursor read from the response and sent back as a query parameter.

    Stops when the cursor is missing, null or empty, or repeats one already seen.
    """

    type: Literal["cursor"] = "cursor"
    cursor_param: str = Field(description="Query parameter that carries the cursor.")
    cursor_path: Expression | None = Field(
        default=None, description="Where the next cursor is in the response body."
    )
    cursor_header: str | None = Field(
        default=None,
        description="Response header carrying the next cursor (instead of a body path).",
    )
    prev_cursor_path: Expression | None = Field(
        default=None, description="Where the previous-page cursor is, when the provider gives one."
    )
    prev_cursor_param: str | None = Field(
        default=None,
        description="Query parameter that carries the previous-page cursor when going back "
        "(e.g. `before` while the next cursor goes in `after`); default: `cursor_param`.",
    )
    fallback_after_path: Expression | None = Field(
        default=None,
        description="Legacy fallback: a body path giving the last id, sent as "
        "`fallback_after_param` "
        "when no cursor is found.",
    )
    fallback_after_param: str | None = Field(
        default=None, description="Query parameter for the legacy last-id fallback."
    )


    def problems(self) -> list[str]:
        """Exactly one source of the next cursor; a previous-cursor parameter needs a source."""
        found = []
        if (self.cursor_path is None) == (self.cursor_header is None):
            found.append("a cursor style needs exactly one of 'cursor_path' or 'cursor_header'")
        if self.prev_cursor_param is not None and self.prev_cursor_path is None:
            found.append("'prev_cursor_param' needs 'prev_cursor_path' (where the cursor is)")
        if (self.fallback_after_path is None) != (self.fallback_after_param is None):
            found.append("give both 'fallback_after_path' and 'fallback_after_param', or neither")
        return found


class PagePagination(_PaginationBase):
    """Numbered pages. Stops on the last-page or total path, or on an empty page."""

    type: Literal["page"] = "page"
    page_param: str = Field(description="Query parameter carrying the page number.")
    first_page: int = Field(default=1, description="Number of the first page (0 or 1, usually).")
    last_page_path: Expression | None = Field(
        default=None, description="Body path of the last page number; stop when reached."
    )
    total_path: Expression | None = Field(
        default=None, description="Body path of the total record count; stop when all are read."
    )
    stop_on_empty_page: bool = Field(default=True, description="Stop when a page holds no records.")


    def problems(self) -> list[str]:
        """A page style needs at least one stop rule."""
        if self.last_page_path is None and self.total_path is None and not self.stop_on_empty_page:
            return [
                "a page style needs a stop rule: 'last_page_path', 'total_path' or "
                "'stop_on_empty_page'"
            ]
        return []


class OffsetPagination(_PaginationBase):
    """Record offsets. Stops on the total path, an empty page, or (opt-in) a short page."""

    type: Literal["offset"] = "offset"
    offset_param: str = Field(description="Query parameter carrying the offset.")
    first_offset: int = Field(default=0, ge=0, description="Offset of the first record.")
    total_path: Expression | None = Field(
        default=None, description="Body path of the total record count."
    )
    stop_on_empty_page: bool = Field(default=True, description="Stop when a page holds no records.")
    stop_on_short_page: bool = Field(
        default=False,
        description="Stop when a page holds fewer records than asked. Off by default: a short "
        "page is not proof of the last page for many providers.",
    )


    def problems(self) -> list[str]:
        """An offset style needs at least one stop rule."""
        if self.total_path is None and not (self.stop_on_empty_page or self.stop_on_short_page):
            return [
                "an offset style needs a stop rule: 'total_path', 'stop_on_empty_page' or "
                "'stop_on_short_page'"
            ]
        return []


class NextLinkPagination(_PaginationBase):
    """A URL for the next page, from a body path or the `Link` header.

    The link must stay on the provider's host and under its base path; with
    `keep_query` the original query parameters are sent again (some providers drop them).
    """

    type: Literal["next_link"] = "next_link"
    next_path: Expression | None = Field(
        default=None, description="Body path of the next page's URL."
    )
    link_header: bool = Field(
        default=False,
        description="Read the next URL from the RFC 8288 `Link` header (rel=next), and the "
        "previous one from rel=prev.",
    )
    prev_path: Expression | None = Field(
        default=None,
        description="Body path of the previous page's URL, when the provider gives it.",
    )
    keep_query: bool = Field(
        default=True,
        description="Re-send the original query parameters that the next link does not carry.",
    )


    def problems(self) -> list[str]:
        """A next_link style needs a source of links."""
        if self.next_path is None and not self.link_header:
            return ["a next_link style needs 'next_path' or 'link_header: true'"]
        return []


class NoPagination(Strict):
    """A single response holds every record."""

    type: Literal["none"] = "none"

    def problems(self) -> list[str]:
        """A single page has nothing to check."""
        return []


PaginationStyle = Annotated[
    CursorPagination | PagePagination | OffsetPagination | NextLinkPagination | NoPagination,
    Field(discriminator="type"),
]
