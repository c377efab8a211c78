"""`prev_cursor` in every pagination family: the unified envelope's previous cursor leads back
one page, through the same `next_cursor` argument, and each family sends what its provider
expects (a separate parameter for a previous cursor, a lower page number or offset, a link)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import respx

from engine.api import Connection
from tests.reads.helpers import base_url, by_param, items, page, sent

Connect = Callable[[str], Connection]
BEFORE = "cursor_before"


def _ids(envelope: dict[str, Any]) -> list[str]:
    return [record["id"] for record in envelope["result"]]


def _kit_page(ids: list[str], start: str, end: str, *, prev: bool, more: bool) -> httpx.Response:
    meta = {"start_cursor": start, "end_cursor": end, "has_prev": prev, "has_next": more}
    return page(items(*ids), meta=meta)


def _before_pages(request: httpx.Request) -> httpx.Response:
    params = request.url.params
    key = (params.get("after"), params.get("before"))
    pages = {
        (None, None): _kit_page(["1", "2"], "s1", "e1", prev=False, more=True),
        ("e1", None): _kit_page(["3", "4"], "s2", "e2", prev=True, more=True),
        ("e2", None): _kit_page(["5"], "s3", "e3", prev=True, more=False),
        (None, "s2"): _kit_page(["1", "2"], "s1", "e1", prev=False, more=True),
        (None, "s3"): _kit_page(["3", "4"], "s2", "e2", prev=True, more=True),
    }
    return pages.get(key) or httpx.Response(418, json={"message": f"unexpected {key}"})


def test_previous_cursor_is_sent_in_its_own_parameter(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BEFORE)) as mock:
        mock.get("/lists").mock(side_effect=_before_pages)
        connection = connect(BEFORE)
        first = connection.lists.list()
        second = connection.lists.list(next_cursor=first["next_cursor"])
        back = connection.lists.list(next_cursor=second["prev_cursor"])
        assert _ids(back) == ["1", "2"]
        assert sent(mock)[-1] == ("/v1/lists", [("limit", "2"), ("before", "s2")])


def test_previous_cursor_is_never_sent_as_the_next_one(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BEFORE)) as mock:
        mock.get("/lists").mock(side_effect=_before_pages)
        connection = connect(BEFORE)
        first = connection.lists.list()
        second = connection.lists.list(next_cursor=first["next_cursor"])
        connection.lists.list(next_cursor=second["prev_cursor"])
        assert ("after", "s2") not in sent(mock)[-1][1]


def test_next_cursor_after_going_back_goes_forward_again(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BEFORE)) as mock:
        mock.get("/lists").mock(side_effect=_before_pages)
        connection = connect(BEFORE)
        pages = [connection.lists.list()]
        pages.append(connection.lists.list(next_cursor=pages[-1]["next_cursor"]))
        pages.append(connection.lists.list(next_cursor=pages[-1]["next_cursor"]))
        back = connection.lists.list(next_cursor=pages[-1]["prev_cursor"])
        forward = connection.lists.list(next_cursor=back["next_cursor"])
        assert [_ids(p) for p in [*pages, back, forward]] == [
            ["1", "2"],
            ["3", "4"],
            ["5"],
            ["3", "4"],
            ["5"],
        ]


def test_first_page_of_a_cursor_style_has_no_previous_cursor(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BEFORE)) as mock:
        mock.get("/lists").mock(side_effect=_before_pages)
        assert connect(BEFORE).lists.list()["prev_cursor"] is None


def _offset_pages() -> Callable[[httpx.Request], httpx.Response]:
    return by_param(
        "offset",
        {
            "0": page(items("1", "2"), meta={"total": 5}),
            "2": page(items("3", "4"), meta={"total": 5}),
            "4": page(items("5"), meta={"total": 5}),
        },
    )


def test_offset_style_goes_back_one_page_size(connect: Connect) -> None:
    with respx.mock(base_url=base_url("offset_total")) as mock:
        mock.get("/lists").mock(side_effect=_offset_pages())
        connection = connect("offset_total")
        first = connection.lists.list()
        second = connection.lists.list(next_cursor=first["next_cursor"])
        third = connection.lists.list(next_cursor=second["next_cursor"])
        back = connection.lists.list(next_cursor=third["prev_cursor"])
        assert _ids(back) == ["3", "4"]
        assert first["prev_cursor"] is None
        assert [q[-1] for _, q in sent(mock)] == [
            ("offset", "0"),
            ("offset", "2"),
            ("offset", "4"),
            ("offset", "2"),
        ]


def test_page_style_counting_from_zero_goes_back_to_page_zero(connect: Connect) -> None:
    with respx.mock(base_url=base_url("page_zero")) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    "0": page(items("1", "2"), meta={"last_page": 1}),
                    "1": page(items("3"), meta={"last_page": 1}),
                },
            )
        )
        connection = connect("page_zero")
        first = connection.lists.list()
        second = connection.lists.list(next_cursor=first["next_cursor"])
        back = connection.lists.list(next_cursor=second["prev_cursor"])
        assert first["prev_cursor"] is None
        assert _ids(back) == ["1", "2"]


def test_next_link_style_follows_the_previous_link_of_the_body(connect: Connect) -> None:
    url = base_url("link_body")
    with respx.mock(base_url=url) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "page",
                {
                    None: page(
                        items("1", "2"), links={"next": f"{url}/lists?page=2", "prev": None}
                    ),
                    "2": page(items("3"), links={"next": None, "prev": f"{url}/lists?page=1"}),
                    "1": page(items("1", "2"), links={"next": f"{url}/lists?page=2", "prev": None}),
                },
            )
        )
        connection = connect("link_body")
        first = connection.lists.list()
        second = connection.lists.list(next_cursor=first["next_cursor"])
        back = connection.lists.list(next_cursor=second["prev_cursor"])
        assert first["prev_cursor"] is None
        assert _ids(back) == ["1", "2"]
        assert sent(mock)[-1] == ("/v1/lists", [("page", "1"), ("limit", "2")])


def test_next_link_style_follows_the_previous_link_of_the_link_header(connect: Connect) -> None:
    url = base_url("link_header")

    def linked(ids: list[str], links: str) -> httpx.Response:
        return page(items(*ids), headers={"Link": links})

    with respx.mock(base_url=url) as mock:
        mock.get("/lists").mock(
            side_effect=by_param(
                "p",
                {
                    None: linked(["1", "2"], f'<{url}/lists?p=2>; rel="next"'),
                    "2": linked(["3"], f'<{url}/lists?p=1>; rel="prev"'),
                    "1": linked(["1", "2"], f'<{url}/lists?p=2>; rel="next"'),
                },
            )
        )
        connection = connect("link_header")
        second = connection.lists.list(next_cursor=connection.lists.list()["next_cursor"])
        back = connection.lists.list(next_cursor=second["prev_cursor"])
        assert _ids(back) == ["1", "2"]
        assert sent(mock)[-1][1][0] == ("p", "1")


def test_proxy_sends_a_previous_cursor_in_its_own_parameter(connect: Connect) -> None:
    with respx.mock(base_url=base_url(BEFORE)) as mock:
        mock.get("/lists").mock(side_effect=_before_pages)
        connection = connect(BEFORE)
        first = connection.proxy("GET", "/lists", paginate=True)
        second = connection.proxy(
            "GET", "/lists", {"next_cursor": first["next_cursor"]}, paginate=True
        )
        back = connection.proxy(
            "GET", "/lists", {"next_cursor": second["prev_cursor"]}, paginate=True
        )
        assert [r["id"] for r in back["result"]] == ["1", "2"]
        assert sent(mock)[-1][1] == [("limit", "2"), ("before", "s2")]


def test_explain_names_how_a_previous_page_is_reached(connect: Connect) -> None:
    plan = connect(BEFORE).explain("lists", "list")["pagination"]
    assert plan["previous_page"] == (
        "meta.has_prev && meta.start_cursor || `null` sent as 'before'"
    )
