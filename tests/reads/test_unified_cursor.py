"""The unified cursor: the next page from the cursor alone; anything foreign or damaged is
`invalid_cursor` with nothing sent; a cursor never moves a request to another host or path."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from engine.api import Connection, Engine
from engine.errors import InvalidCursorError, RemoteError
from engine.plan.cursor import decode_cursor, encode_cursor
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from tests.reads.helpers import base_url, by_param, items, page, sent

Connect = Callable[[str], Connection]
CURSOR = "cursor_body"
PAGE = "page_one"
LINK = "link_body"


def _cursor_pages() -> Callable[[httpx.Request], httpx.Response]:
    return by_param(
        "cursor",
        {
            None: page(items("1", "2"), meta={"next_cursor": "c2", "prev_cursor": None}),
            "c2": page(items("3", "4"), meta={"next_cursor": "c3", "prev_cursor": "p1"}),
            "p1": page(items("1", "2"), meta={"next_cursor": "c2", "prev_cursor": None}),
            "c3": page(items("5"), meta={"next_cursor": None, "prev_cursor": "p2"}),
        },
    )


def _page_pages() -> Callable[[httpx.Request], httpx.Response]:
    return by_param(
        "page",
        {
            "1": page(items("1", "2"), meta={"last_page": 3}),
            "2": page(items("3", "4"), meta={"last_page": 3}),
            "3": page(items("5"), meta={"last_page": 3}),
        },
    )


@pytest.fixture
def first_cursor(connect: Connect) -> str:
    """The `next_cursor` of the first page of `cursor_body` lists filtered by name."""
    with respx.mock(base_url=base_url(CURSOR)) as mock:
        mock.get("/lists").mock(side_effect=_cursor_pages())
        envelope = connect(CURSOR).call("lists", "list", query={"name": "news", "limit": 2})
    cursor = envelope["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


@pytest.fixture
def nothing_sent() -> Iterator[respx.MockRouter]:
    """A respx router with no routes: any request fails the test; `calls` must stay empty."""
    with respx.mock(assert_all_mocked=True) as mock:
        yield mock
        assert mock.calls.call_count == 0


def _reject(connection: Connection, resource: str, cursor: str, **filters: Any) -> None:
    with pytest.raises(InvalidCursorError) as raised:
        connection.call(resource, "list", query={"next_cursor": cursor, **filters})
    assert raised.value.error == "invalid_cursor"
    assert raised.value.to_dict()["remote"] is False


def test_next_page_is_asked_for_with_the_cursor_alone(connect: Connect, first_cursor: str) -> None:
    with respx.mock(base_url=base_url(CURSOR)) as mock:
        mock.get("/lists").mock(side_effect=_cursor_pages())
        envelope = connect(CURSOR).call("lists", "list", query={"next_cursor": first_cursor})
        assert [r["id"] for r in envelope["result"]] == ["3", "4"]
        assert sent(mock) == [
            ("/v1/lists", [("filter[name]", "news"), ("limit", "2"), ("cursor", "c2")])
        ]


def test_cursor_keyword_is_an_alias_of_next_cursor(connect: Connect, first_cursor: str) -> None:
    with respx.mock(base_url=base_url(CURSOR)) as mock:
        mock.get("/lists").mock(side_effect=_cursor_pages())
        envelope = connect(CURSOR).lists.list(cursor=first_cursor)
        assert [r["id"] for r in envelope["result"]] == ["3", "4"]


def test_following_next_cursors_reads_everything_once(connect: Connect) -> None:
    with respx.mock(base_url=base_url(CURSOR)) as mock:
        mock.get("/lists").mock(side_effect=_cursor_pages())
        connection, seen, cursor = connect(CURSOR), [], None
        for _ in range(10):  # bounded: 3 pages expected
            envelope = connection.lists.list(next_cursor=cursor)
            seen += [r["id"] for r in envelope["result"]]
            cursor = envelope["next_cursor"]
            if cursor is None:
                break
        assert seen == ["1", "2", "3", "4", "5"]
        assert len(mock.calls) == 3


@pytest.mark.parametrize("position", [0, 5, 20, -30, -3, -1])
def test_tampered_cursor_is_rejected_and_nothing_sent(
    connect: Connect, first_cursor: str, nothing_sent: respx.MockRouter, position: int
) -> None:
    chars = list(first_cursor)
    if chars[position] == ".":
        position += 1
    chars[position] = "B" if chars[position] != "B" else "C"
    _reject(connect(CURSOR), "lists", "".join(chars))


@pytest.mark.parametrize("cut", [1, 4, 23, "half", "data-only", "tag-only"])
def test_truncated_cursor_is_rejected_and_nothing_sent(
    connect: Connect, first_cursor: str, nothing_sent: respx.MockRouter, cut: int | str
) -> None:
    data, tag = first_cursor.split(".")
    if cut == "half":
        damaged = first_cursor[: len(first_cursor) // 2]
    elif cut == "data-only":
        damaged = data
    elif cut == "tag-only":
        damaged = "." + tag
    else:
        assert isinstance(cut, int)
        damaged = first_cursor[:-cut]
    _reject(connect(CURSOR), "lists", damaged)


@pytest.mark.parametrize("garbage", ["not a cursor", "a.b.c", "%%%.###", "e30.AAAA"])
def test_garbage_cursor_is_rejected_and_nothing_sent(
    connect: Connect, nothing_sent: respx.MockRouter, garbage: str
) -> None:
    _reject(connect(CURSOR), "lists", garbage)


def test_cursor_of_another_provider_is_rejected_and_nothing_sent(
    connect: Connect, first_cursor: str, nothing_sent: respx.MockRouter
) -> None:
    _reject(connect(PAGE), "lists", first_cursor)


def test_cursor_of_another_resource_is_rejected_and_nothing_sent() -> None:
    engine = Engine.load()
    sim = Simulator(seed=3, rate_limit=None, import_limit=None).seed_data(
        subscribers=5, groups=4, segments=1
    )
    with engine.connect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
    ) as simulated:
        lists_cursor = simulated.lists.list(limit=2)["next_cursor"]
    assert isinstance(lists_cursor, str)
    with (
        respx.mock(assert_all_mocked=True) as mock,
        engine.connect(
            "mailerlite", credentials={"api_key": DEFAULT_TOKEN}, base_url=IN_PROCESS_BASE_URL
        ) as connection,
    ):
        belongs = r"mailerlite\.lists, not mailerlite\.contacts"
        with pytest.raises(InvalidCursorError, match=belongs):
            connection.contacts.list(next_cursor=lists_cursor)
        assert mock.calls.call_count == 0


def test_cursor_with_conflicting_filters_is_rejected_and_nothing_sent(
    connect: Connect, first_cursor: str, nothing_sent: respx.MockRouter
) -> None:
    _reject(connect(CURSOR), "lists", first_cursor, name="other")


def test_cursor_with_the_same_filters_is_accepted(connect: Connect, first_cursor: str) -> None:
    with respx.mock(base_url=base_url(CURSOR)) as mock:
        mock.get("/lists").mock(side_effect=_cursor_pages())
        envelope = connect(CURSOR).lists.list(next_cursor=first_cursor, name="news")
        assert [r["id"] for r in envelope["result"]] == ["3", "4"]


def test_prev_cursor_of_cursor_style_goes_back(connect: Connect, first_cursor: str) -> None:
    with respx.mock(base_url=base_url(CURSOR)) as mock:
        mock.get("/lists").mock(side_effect=_cursor_pages())
        connection = connect(CURSOR)
        second = connection.lists.list(next_cursor=first_cursor)
        assert second["prev_cursor"] is not None
        back = connection.lists.list(next_cursor=second["prev_cursor"])
        assert [r["id"] for r in back["result"]] == ["1", "2"]
        assert sent(mock)[-1] == (
            "/v1/lists",
            [("filter[name]", "news"), ("limit", "2"), ("cursor", "p1")],
        )


def test_prev_cursor_of_page_style_goes_back(connect: Connect) -> None:
    with respx.mock(base_url=base_url(PAGE)) as mock:
        mock.get("/lists").mock(side_effect=_page_pages())
        connection = connect(PAGE)
        first = connection.lists.list()
        assert first["prev_cursor"] is None
        second = connection.lists.list(next_cursor=first["next_cursor"])
        back = connection.lists.list(next_cursor=second["prev_cursor"])
        assert [r["id"] for r in back["result"]] == ["1", "2"]
        assert [q[-1] for _, q in sent(mock)] == [("page", "1"), ("page", "2"), ("page", "1")]


def _forge(engine: Engine, cursor: str, provider: str, **changes: Any) -> str:
    """Re-seal a modified payload with the engine's own key (the worst case: a leaked key)."""
    payload = decode_cursor(cursor, engine.cursor_key, provider=provider, resource="lists")
    return encode_cursor(dataclasses.replace(payload, **changes), engine.cursor_key)


def test_a_url_in_a_cursor_of_a_cursor_style_is_rejected(
    connect: Connect,
    synthetic_engine: Engine,
    first_cursor: str,
    nothing_sent: respx.MockRouter,
) -> None:
    payload = decode_cursor(
        first_cursor, synthetic_engine.cursor_key, provider=CURSOR, resource="lists"
    )
    state = {**payload.state, "url": "https://evil.test/v1/steal", "path": "/admin"}
    forged = _forge(synthetic_engine, first_cursor, CURSOR, state=state)
    _reject(connect(CURSOR), "lists", forged)


@pytest.mark.parametrize(
    "url",
    ["https://evil.test/v1/lists?page=2", "https://api.link-body.test/admin?page=2"],
    ids=["other-host", "other-path"],
)
def test_forged_link_in_a_next_link_cursor_is_refused(
    connect: Connect, synthetic_engine: Engine, nothing_sent: respx.MockRouter, url: str
) -> None:
    base = base_url(LINK)
    with respx.mock(base_url=base) as mock:
        mock.get("/lists").mock(return_value=page(items("1"), links={"next": f"{base}/lists?p=2"}))
        real = connect(LINK).lists.list(limit=1)["next_cursor"]
    payload = decode_cursor(real, synthetic_engine.cursor_key, provider=LINK, resource="lists")
    forged = _forge(synthetic_engine, real, LINK, state={**payload.state, "url": url})
    with pytest.raises(RemoteError, match="refused"):
        connect(LINK).lists.list(next_cursor=forged)


@pytest.mark.parametrize("route", [0, 1, 7, -2])
def test_cursor_naming_a_route_the_mapping_lacks_is_rejected(
    connect: Connect,
    synthetic_engine: Engine,
    first_cursor: str,
    nothing_sent: respx.MockRouter,
    route: int,
) -> None:
    forged = _forge(synthetic_engine, first_cursor, CURSOR, route=route)
    _reject(connect(CURSOR), "lists", forged)


def test_cursor_holding_an_undeclared_filter_is_rejected(
    connect: Connect, synthetic_engine: Engine, first_cursor: str, nothing_sent: respx.MockRouter
) -> None:
    forged = _forge(synthetic_engine, first_cursor, CURSOR, filters={"owner": "someone-else"})
    _reject(connect(CURSOR), "lists", forged)


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.mark.parametrize("part", ["data", "tag"])
def test_flipping_only_unused_trailing_bits_is_still_rejected(
    connect: Connect, first_cursor: str, nothing_sent: respx.MockRouter, part: str
) -> None:
    data, tag = first_cursor.split(".")
    text = data if part == "data" else tag
    assert len(text) % 4, "an unpadded tail has unused bits"
    flipped = text[:-1] + _ALPHABET[_ALPHABET.index(text[-1]) ^ 1]
    damaged = f"{flipped}.{tag}" if part == "data" else f"{data}.{flipped}"
    _reject(connect(CURSOR), "lists", damaged)


@pytest.mark.parametrize("extra", ["!", " ", "\n", "="])
def test_cursor_with_stray_characters_is_rejected(
    connect: Connect, first_cursor: str, nothing_sent: respx.MockRouter, extra: str
) -> None:
    middle = len(first_cursor) // 3
    _reject(connect(CURSOR), "lists", first_cursor[:middle] + extra + first_cursor[middle:])
