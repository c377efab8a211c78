"""The `page` family: first page 0 or 1 (no off-by-one), stop rules and guards."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from engine.api import Connection
from engine.errors import RemoteError
from tests.reads.helpers import base_url, by_param, items, page, sent

Connect = Callable[[str], Connection]
ZERO = "page_zero"
ONE = "page_one"


def _ids(connection: Connection, query: dict[str, object] | None = None) -> list[str]:
    return [record["id"] for record in connection.iterate("lists", query or {})]


def test_first_page_zero_is_requested_first_and_kept(connect: Connect) -> None:
    with respx.mock(base_url=base_url(ZERO)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "0": page(items("1", "2", "3")),
                    "1": page(items("4", "5", "6")),
                    "2": page([]),
                },
            )
        )
        assert _ids(connect(ZERO)) == ["1", "2", "3", "4", "5", "6"]
        assert sent(mock) == [
            ("/v1/lists", [("size", "3"), ("page", "0")]),
            ("/v1/lists", [("size", "3"), ("page", "1")]),
            ("/v1/lists", [("size", "3"), ("page", "2")]),
        ]


def test_first_page_one_is_requested_first_and_last_page_stops(connect: Connect) -> None:
    with respx.mock(base_url=base_url(ONE)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "1": page(items("1", "2"), meta={"last_page": 2}),
                    "2": page(items("3"), meta={"last_page": 2}),
                },
            )
        )
        assert _ids(connect(ONE)) == ["1", "2", "3"]
        assert sent(mock) == [
            ("/v1/lists", [("limit", "2"), ("page", "1")]),
            ("/v1/lists", [("limit", "2"), ("page", "2")]),
        ]


def test_page_filters_are_sent_on_every_page(connect: Connect) -> None:
    with respx.mock(base_url=base_url(ONE)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "1": page(items("1"), meta={"last_page": 2}),
                    "2": page(items("2"), meta={"last_page": 2}),
                },
            )
        )
        assert _ids(connect(ONE), {"name": "a b", "limit": 1}) == ["1", "2"]
        assert sent(mock) == [
            ("/v1/lists", [("filter[name]", "a b"), ("limit", "1"), ("page", "1")]),
            ("/v1/lists", [("filter[name]", "a b"), ("limit", "1"), ("page", "2")]),
        ]


def test_page_empty_last_page_stops(connect: Connect) -> None:
    with respx.mock(base_url=base_url(ONE)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "1": page(items("1", "2")),
                    "2": page([]),
                },
            )
        )
        assert _ids(connect(ONE)) == ["1", "2"]
        assert len(mock.calls) == 2


def test_page_repeated_last_page_gives_no_duplicates(connect: Connect) -> None:
    with respx.mock(base_url=base_url(ZERO)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "0": page(items("1", "2", "3")),
                    "1": page(items("4", "5")),
                    "2": page(items("4", "5")),
                },
            )
        )
        assert _ids(connect(ZERO)) == ["1", "2", "3", "4", "5"]
        assert [q[-1] for _, q in sent(mock)] == [("page", "0"), ("page", "1"), ("page", "2")]


def test_page_short_page_that_is_not_last_does_not_stop(connect: Connect) -> None:
    with respx.mock(base_url=base_url(ZERO)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "0": page(items("1")),
                    "1": page(items("2", "3", "4")),
                    "2": page([]),
                },
            )
        )
        assert _ids(connect(ZERO)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 3


def test_page_max_pages_exceeded_is_an_error(connect: Connect) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params["page"])
        return page(items(f"{n}a", f"{n}b", f"{n}c"))

    with respx.mock(base_url=base_url(ZERO)) as mock:
        mock.get("/lists").mock(side_effect=endless)
        with pytest.raises(RemoteError, match="max_pages=5"):
            list(connect(ZERO).iterate("lists"))
        assert [q[-1] for _, q in sent(mock)] == [("page", str(n)) for n in range(5)]
