"""Pagination families: each with explicit stop rules and a `max_pages` guard."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from engine.format.common import Expression, Strict

DEFAULT_MAX_PAGES = 100_000


class _PaginationBase(Strict):
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
    fallback_after_path: Expression | None = Field(
        default=None,
        description="Legacy fallback: a body path giving the last id, sent as "
        "`fallback_after_param` "
        "when no cursor is found.",
    )
    fallback_after_param: str | None = Field(
        default=None, description="Query parameter for the legacy last-id fallback."
    )


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
        default=False, description="Read the next URL from the RFC 8288 `Link` header (rel=next)."
    )
    keep_query: bool = Field(
        default=True,
        description="Re-send the original query parameters that the next link does not carry.",
    )


class NoPagination(Strict):
    """A single response holds every record."""

    type: Literal["none"] = "none"


PaginationStyle = Annotated[
    CursorPagination | PagePagination | OffsetPagination | NextLinkPagination | NoPagination,
    Field(discriminator="type"),
]
