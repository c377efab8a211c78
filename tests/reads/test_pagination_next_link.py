"""The `next_link` family: body path or `Link` header, kept on the provider's host and path."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from engine.api import Connection
from engine.errors import RemoteError
from tests.reads.helpers import base_url, by_param, items, page, sent

Connect = Callable[[str], Connection]
BODY = "link_body"
HEADER = "link_header"
NOKEEP = "link_nokeep"
BODY_URL = base_url(BODY)


def _ids(connection: Connection, query: dict[str, object] | None = None) -> list[str]:
    return [record["id"] for record in connection.iterate("lists", query or {})]


def _linked(ids: list[str], next_link: str | None) -> httpx.Response:
    return page(items(*ids), links={"next": next_link})


def test_body_link_is_followed_until_it_is_null(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1", "2"], f"{BODY_URL}/lists?page=2"),
                    "2": _linked(["3", "4"], f"{BODY_URL}/lists?page=3"),
                    "3": _linked(["5"], None),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4", "5"]
        assert sent(mock) == [
            ("/v1/lists", [("limit", "2")]),
            ("/v1/lists", [("page", "2"), ("limit", "2")]),
            ("/v1/lists", [("page", "3"), ("limit", "2")]),
        ]


def test_keep_query_resends_the_params_the_link_dropped(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1"], f"{BODY_URL}/lists?page=2"),
                    "2": _linked(["2"], None),
                },
            )
        )
        assert _ids(connect(BODY), {"name": "vip", "limit": 1}) == ["1", "2"]
        assert sent(mock) == [
            ("/v1/lists", [("filter[name]", "vip"), ("limit", "1")]),
            ("/v1/lists", [("page", "2"), ("filter[name]", "vip"), ("limit", "1")]),
        ]


def test_keep_query_does_not_duplicate_params_the_link_carries(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1"], f"{BODY_URL}/lists?page=2&limit=1"),
                    "2": _linked(["2"], None),
                },
            )
        )
        assert _ids(connect(BODY), {"limit": 1}) == ["1", "2"]
        assert sent(mock)[1] == ("/v1/lists", [("page", "2"), ("limit", "1")])


def test_keep_query_false_follows_the_link_as_given(connect: Connect) -> None:
    url = base_url(NOKEEP)
    with respx.mock(base_url=url) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1"], f"{url}/lists?page=2"),
                    "2": _linked(["2"], None),
                },
            )
        )
        assert _ids(connect(NOKEEP), {"name": "vip", "limit": 1}) == ["1", "2"]
        assert sent(mock) == [
            ("/v1/lists", [("filter[name]", "vip"), ("limit", "1")]),
            ("/v1/lists", [("page", "2")]),
        ]


def test_relative_link_under_the_base_path_is_followed(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1", "2"], "/v1/lists?page=2"),
                    "2": _linked(["3"], None),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3"]
        assert [str(call.request.url.host) for call in mock.calls] == ["api.link-body.test"] * 2


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.test/v1/lists?page=2",
        "http://api.link-body.test/v1/lists?page=2",
        "https://api.link-body.test:8443/v1/lists?page=2",
        "//evil.test/v1/lists?page=2",
    ],
    ids=["other-host", "downgraded-scheme", "other-port", "scheme-relative-host"],
)
def test_link_to_another_host_is_refused(connect: Connect, link: str) -> None:
    with respx.mock(base_url=BODY_URL, assert_all_mocked=True) as mock:
        mock.get("/lists").mock(return_value=_linked(["1", "2"], link))
        with pytest.raises(RemoteError, match="another host"):
            list(connect(BODY).iterate("lists"))
        assert len(mock.calls) == 1


@pytest.mark.parametrize(
    "link",
    [
        "https://api.link-body.test/admin/lists?page=2",
        "https://api.link-body.test/v1/../admin?page=2",
        "https://api.link-body.test/v1?page=2",
        "https://api.link-body.test/v10/lists?page=2",
        "/admin/lists?page=2",
    ],
    ids=["other-path", "dot-dot", "base-itself", "prefix-lookalike", "relative-outside"],
)
def test_link_outside_the_base_path_is_refused(connect: Connect, link: str) -> None:
    with respx.mock(base_url=BODY_URL, assert_all_mocked=True) as mock:
        mock.get("/lists").mock(return_value=_linked(["1", "2"], link))
        with pytest.raises(RemoteError, match="outside the provider's API"):
            list(connect(BODY).iterate("lists"))
        assert len(mock.calls) == 1


def test_repeated_link_stops(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1", "2"], f"{BODY_URL}/lists?page=2"),
                    "2": _linked(["3", "4"], f"{BODY_URL}/lists?page=2"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3", "4"]
        assert len(mock.calls) == 2


def test_link_on_last_page_then_empty_page_stops(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1", "2"], f"{BODY_URL}/lists?page=2"),
                    "2": _linked([], f"{BODY_URL}/lists?page=3"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2"]
        assert len(mock.calls) == 2


def test_link_repeated_last_page_gives_no_duplicates(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1", "2"], f"{BODY_URL}/lists?page=2"),
                    "2": _linked(["1", "2"], f"{BODY_URL}/lists?page=3"),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2"]
        assert len(mock.calls) == 2


def test_link_short_page_that_is_not_last_does_not_stop(connect: Connect) -> None:
    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: _linked(["1"], f"{BODY_URL}/lists?page=2"),
                    "2": _linked(["2", "3"], None),
                },
            )
        )
        assert _ids(connect(BODY)) == ["1", "2", "3"]


def test_link_max_pages_exceeded_is_an_error(connect: Connect) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page", "1"))
        return _linked([f"{n}a", f"{n}b"], f"{BODY_URL}/lists?page={n + 1}")

    with respx.mock(base_url=BODY_URL) as mock:
        mock.get("/lists").mock(side_effect=endless)
        with pytest.raises(RemoteError, match="max_pages=5"):
            list(connect(BODY).iterate("lists"))
        assert len(mock.calls) == 5


def test_link_header_is_followed_until_absent(connect: Connect) -> None:
    url = base_url(HEADER)

    def linked(ids: list[str], target: str | None) -> httpx.Response:
        headers = {"Link": f'<{target}>; rel="next", <{url}/lists?page=1>; rel="first"'}
        return page(items(*ids), headers=headers if target else None)

    with respx.mock(base_url=url) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: linked(["1", "2"], f"{url}/lists?page=2"),
                    "2": linked(["3", "4"], f"{url}/lists?page=3"),
                    "3": linked(["5"], None),
                },
            )
        )
        assert _ids(connect(HEADER)) == ["1", "2", "3", "4", "5"]
        assert sent(mock) == [
            ("/v1/lists", [("limit", "2")]),
            ("/v1/lists", [("page", "2"), ("limit", "2")]),
            ("/v1/lists", [("page", "3"), ("limit", "2")]),
        ]


def test_link_header_to_another_host_is_refused(connect: Connect) -> None:
    url = base_url(HEADER)
    with respx.mock(base_url=url, assert_all_mocked=True) as mock:
        mock.get("/lists").mock(
            return_value=page(
                items("1"), headers={"Link": '<https://evil.test/v1/lists?page=2>; rel="next"'}
            )
        )
        with pytest.raises(RemoteError, match="another host"):
            list(connect(HEADER).iterate("lists"))
        assert len(mock.calls) == 1
