"""The `offset` family: stop on total or an empty page; the short-page stop is opt-in."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from engine.api import Connection
from engine.errors import RemoteError
from tests.reads.helpers import base_url, by_param, items, page, sent

Connect = Callable[[str], Connection]
TOTAL = "offset_total"
SHORT = "offset_short"


def _ids(connection: Connection, query: dict[str, object] | None = None) -> list[str]:
    return [record["id"] for record in connection.iterate("lists", query or {})]


def test_offset_stops_when_total_is_read(connect: Connect) -> None:
    with respx.mock(base_url=base_url(TOTAL)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "offset",
                {
                    "0": page(items("1", "2"), meta={"total": 5}),
                    "2": page(items("3", "4"), meta={"total": 5}),
                    "4": page(items("5"), meta={"total": 5}),
                },
            )
        )
        assert _ids(connect(TOTAL)) == ["1", "2", "3", "4", "5"]
        assert sent(mock) == [
            ("/v1/lists", [("limit", "2"), ("offset", "0")]),
            ("/v1/lists", [("limit", "2"), ("offset", "2")]),
            ("/v1/lists", [("limit", "2"), ("offset", "4")]),
        ]


def test_offset_advances_by_records_received_on_a_short_page(connect: Connect) -> None:
    with respx.mock(base_url=base_url(TOTAL)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "offset",
                {
                    "0": page(items("1"), meta={"total": 4}),
                    "1": page(items("2", "3"), meta={"total": 4}),
                    "3": page(items("4"), meta={"total": 4}),
                },
            )
        )
        assert _ids(connect(TOTAL)) == ["1", "2", "3", "4"]
        assert [q[-1] for _, q in sent(mock)] == [("offset", "0"), ("offset", "1"), ("offset", "3")]


def test_offset_without_total_stops_on_an_empty_page(connect: Connect) -> None:
    with respx.mock(base_url=base_url(TOTAL)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "offset",
                {
                    "0": page(items("1", "2")),
                    "2": page(items("3")),
                    "3": page([]),
                },
            )
        )
        assert _ids(connect(TOTAL)) == ["1", "2", "3"]
        assert len(mock.calls) == 3


def test_offset_repeated_last_page_gives_no_duplicates(connect: Connect) -> None:
    with respx.mock(base_url=base_url(TOTAL)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "offset",
                {
                    "0": page(items("1", "2")),
                    "2": page(items("3", "4")),
                    "4": page(items("3", "4")),
                },
            )
        )
        assert _ids(connect(TOTAL)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 3


def test_offset_stop_on_short_page_is_opt_in(connect: Connect) -> None:
    with respx.mock(base_url=base_url(SHORT)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "start",
                {
                    "0": page(items("1", "2")),
                    "2": page(items("3")),
                },
            )
        )
        assert _ids(connect(SHORT)) == ["1", "2", "3"]
        assert sent(mock) == [
            ("/v1/lists", [("count", "2"), ("start", "0")]),
            ("/v1/lists", [("count", "2"), ("start", "2")]),
        ]


def test_offset_max_pages_exceeded_is_an_error(connect: Connect) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params["offset"])
        return page(items(str(n), str(n + 1)), meta={"total": 1000})

    with respx.mock(base_url=base_url(TOTAL)) as mock:
        mock.get("/lists").mock(side_effect=endless)
        with pytest.raises(RemoteError, match="max_pages=5"):
            list(connect(TOTAL).iterate("lists"))
        assert len(mock.calls) == 5
