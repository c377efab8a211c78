"""The `cursor` family: body path and header, with its stop rules and guards."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from engine.api import Connection
from engine.errors import RemoteError
from tests.reads.helpers import base_url, by_param, items, page, sent

Connect = Callable[[str], Connection]
BODY = "cursor_body"
HEADER = "cursor_header"


def _body_page(ids: list[str], next_cursor: str | None, prev: str | None = None) -> httpx.Response:
    return page(items(*ids), meta={"next_cursor": next_cursor, "prev_cursor": prev})


def _ids(connection: Connection, query: dict[str, object] | None = None) -> list[str]:
    return [record["id"] for record in connection.iterate("lists", query or {})]


def test_body_cursor_is_followed_until_it_is_null(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1", "2"], "c2"),
                    "c2": _body_page(["3", "4"], "c3"),
                    "c3": _body_page(["5"], None),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4", "5"]
        assert sent(mock) == [
            ("/v1/lists", [("limit", "2")]),
            ("/v1/lists", [("limit", "2"), ("cursor", "c2")]),
            ("/v1/lists", [("limit", "2"), ("cursor", "c3")]),
        ]


def test_body_cursor_filters_and_limit_are_sent_on_every_page(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1", "2", "3"], "c2"),
                    "c2": _body_page(["4"], None),
                },
            )
        )
        assert _ids(connect(BODY), {"name": "news", "limit": 3}) == ["1", "2", "3", "4"]
        assert sent(mock) == [
            ("/v1/lists", [("filter[name]", "news"), ("limit", "3")]),
            ("/v1/lists", [("filter[name]", "news"), ("limit", "3"), ("cursor", "c2")]),
        ]


def test_body_cursor_limit_is_clamped_to_max_limit(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(return_value=_body_page(["1"], None))
        assert _ids(connect(BODY), {"limit": 5000}) == ["1"]
        assert sent(mock) == [("/v1/lists", [("limit", "50")])]


def test_body_cursor_on_last_page_then_empty_page_stops(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1", "2"], "c2"),
                    "c2": _body_page(["3", "4"], "c3"),
                    "c3": _body_page([], "c4"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4"]
        assert [q for _, q in sent(mock)] == [
            [("limit", "2")],
            [("limit", "2"), ("cursor", "c2")],
            [("limit", "2"), ("cursor", "c3")],
        ]


def test_body_cursor_repeated_last_page_gives_no_duplicates(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1", "2"], "c2"),
                    "c2": _body_page(["3", "4"], "c3"),
                    "c3": _body_page(["3", "4"], "c4"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 3


def test_body_cursor_cycling_back_to_an_earlier_page_stops_without_duplicates(
    connect: Connect,
) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1", "2"], "c2"),
                    "c2": _body_page(["3", "4"], "c3"),
                    "c3": _body_page(["1", "2"], "c4"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 3


def test_body_cursor_repeated_cursor_stops(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1", "2"], "c2"),
                    "c2": _body_page(["3", "4"], "c2"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 2


def test_body_cursor_short_page_that_is_not_last_does_not_stop(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "cursor",
                {
                    None: _body_page(["1"], "c2"),
                    "c2": _body_page(["2", "3"], "c3"),
                    "c3": _body_page(["4"], None),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 3


def test_body_cursor_empty_first_page_is_an_empty_listing(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(return_value=_body_page([], "c2"))
        envelope = connect(BODY).call("lists", "list")
        empty = {"result": [], "next_cursor": None, "prev_cursor": None, "result_count": 0}
        assert envelope == empty
        assert len(mock.calls) == 1


def test_body_cursor_max_pages_exceeded_is_an_error(connect: Connect) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("cursor", "0"))
        return _body_page([str(2 * n), str(2 * n + 1)], str(n + 1))

    seen: list[str] = []
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(side_effect=endless)
        with pytest.raises(RemoteError, match="max_pages=5") as raised:
            seen.extend(record["id"] for record in connect(BODY).iterate("lists"))
        assert raised.value.error == "remote_error"
        assert raised.value.to_dict()["remote"] is False
        assert len(mock.calls) == 5
        assert seen == [str(i) for i in range(8)]


def test_header_cursor_is_followed_until_the_header_is_missing(connect: Connect) -> None:
    with respx.mock(base_url=base_url(HEADER)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "after",
                {
                    None: page(items("1", "2"), headers={"X-Next-Cursor": "h2"}),
                    "h2": page(items("3", "4"), headers={"X-Next-Cursor": "h3"}),
                    "h3": page(items("5")),
                },
            )
        )
        assert _ids(connect(HEADER)) == ["1", "2", "3", "4", "5"]
        assert sent(mock) == [
            ("/v1/lists", [("per_page", "2")]),
            ("/v1/lists", [("per_page", "2"), ("after", "h2")]),
            ("/v1/lists", [("per_page", "2"), ("after", "h3")]),
        ]


def test_header_cursor_empty_header_stops(connect: Connect) -> None:
    with respx.mock(base_url=base_url(HEADER)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "after",
                {
                    None: page(items("1", "2"), headers={"X-Next-Cursor": "h2"}),
                    "h2": page(items("3", "4"), headers={"X-Next-Cursor": ""}),
                },
            )
        )
        assert _ids(connect(HEADER)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 2


def test_header_cursor_short_page_that_is_not_last_does_not_stop(connect: Connect) -> None:
    with respx.mock(base_url=base_url(HEADER)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "after",
                {
                    None: page(items("1"), headers={"X-Next-Cursor": "h2"}),
                    "h2": page(items("2"), headers={"X-Next-Cursor": "h3"}),
                    "h3": page([], headers={"X-Next-Cursor": "h4"}),
                },
            )
        )
        assert _ids(connect(HEADER)) == ["1", "2"]
        assert len(mock.calls) == 3


def test_header_cursor_repeated_last_page_gives_no_duplicates(connect: Connect) -> None:
    with respx.mock(base_url=base_url(HEADER)) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "after",
                {
                    None: page(items("1", "2"), headers={"X-Next-Cursor": "h2"}),
                    "h2": page(items("1", "2"), headers={"X-Next-Cursor": "h3"}),
                },
            )
        )
        assert _ids(connect(HEADER)) == ["1", "2"]
        assert len(mock.calls) == 2
