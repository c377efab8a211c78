"""Forged cursors — sealed with the right key (a leaked key, another version of the engine) but
holding states the engine never writes — end as `invalid_cursor` before anything is sent, or
continue the listing with requests in range; never another exception."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.api import Engine
from engine.errors import InvalidCursorError
from engine.plan.cursor import CursorPayload, encode_cursor
from engine.plan.states import MAX_INDEX
from tests.budget import examples

from .conftest import Recorder

LISTED = ["cursor_before", "cursor_header", "link_body", "offset_total", "page_one", "page_zero"]
LISTED += ["single", "scoped", "querykey"]
FORGED = settings(
    max_examples=examples(quick=60, long=600),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.just("x" * 100_000)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["page_no", "fp", "cursor", "after", "dir", "page", "offset", "url", "scan"]
) | st.text(max_size=10)
STATES = st.dictionaries(KEYS, JSON, max_size=5)
LIMITS = (
    st.none() | st.integers(-(10**13), 10**13) | st.booleans() | st.floats() | st.text(max_size=5)
)


def _sealed(engine: Engine, data: bytes) -> str:
    tag = hmac.new(engine.cursor_key, data, hashlib.sha256).digest()[:16]
    encode = base64.urlsafe_b64encode
    return encode(data).rstrip(b"=").decode() + "." + encode(tag).rstrip(b"=").decode()


def _in_range(engine: Engine, provider: str, request: httpx.Request) -> None:
    """What any request the engine sends must respect, whatever the cursor said."""
    mapping = engine.mapping(provider)
    assert request.url.host == httpx.URL(mapping.provider.base_url).host
    for style in mapping.provider.pagination.values():
        limit_param = getattr(style, "limit_param", None)
        if limit_param and limit_param in request.url.params:
            assert 1 <= int(request.url.params[limit_param]) <= getattr(style, "max_limit", 0)
        for name, low in (("page_param", "first_page"), ("offset_param", "first_offset")):
            param = getattr(style, name, None)
            if param and param in request.url.params:
                assert getattr(style, low) <= int(request.url.params[param]) <= MAX_INDEX


def _continue(engine: Engine, provider: str, cursor: str) -> None:
    wire = Recorder({"data": [], "lists": []})
    with engine.connect(provider, credentials={"api_key": "forged"}, transport=wire) as c:
        try:
            c.call("lists", "list", query={"next_cursor": cursor})
        except InvalidCursorError:
            assert wire.sent == []
    for request in wire.sent:
        _in_range(engine, provider, request)


@FORGED
@given(provider=st.sampled_from(LISTED), state=STATES, limit=LIMITS, route=st.integers(-3, 3))
def test_a_forged_state_is_invalid_or_stays_in_range(
    engine: Engine, provider: str, state: dict[str, Any], limit: Any, route: int
) -> None:
    payload = CursorPayload(provider, "lists", {}, limit, route, state)
    _continue(engine, provider, encode_cursor(payload, engine.cursor_key))


@FORGED
@given(provider=st.sampled_from(LISTED), body=JSON)
def test_any_sealed_json_is_invalid_or_stays_in_range(
    engine: Engine, provider: str, body: Any
) -> None:
    data = json.dumps(body, allow_nan=True).encode()
    _continue(engine, provider, _sealed(engine, data))


@settings(
    max_examples=examples(quick=30, long=300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.text(min_size=1, max_size=200)
    | st.binary(max_size=200).map(lambda b: b.hex() + "." + b.hex())
)
def test_a_random_string_is_an_invalid_cursor(engine: Engine, text: str) -> None:
    with pytest.raises(InvalidCursorError):
        _continue_strict(engine, text)


def _continue_strict(engine: Engine, cursor: str) -> None:
    with engine.connect("page_one", credentials={"api_key": "k"}, transport=Recorder()) as c:
        c.call("lists", "list", query={"next_cursor": cursor})


def test_a_deeply_nested_sealed_cursor_is_invalid(engine: Engine) -> None:
    with pytest.raises(InvalidCursorError):
        _continue_strict(engine, _sealed(engine, b"[" * 100_000 + b"]" * 100_000))


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ({"page_no": 2, "page": -1}, "'page' must be an integer from 1"),
        ({"page_no": 2, "page": 10**12}, "'page' must be an integer from 1"),
        ({"page_no": 2, "page": True}, "'page' must be an integer"),
        ({"page_no": 0, "page": 2}, "'page_no' must be an integer from 1"),
        ({"page_no": 2, "page": 2, "fp": "not hex!"}, "'fp' must be a page fingerprint"),
        ({"page_no": 2, "page": 2, "offset": 5}, "unknown field(s) 'offset'"),
    ],
)
def test_an_out_of_range_page_state_says_which_field(
    engine: Engine, state: dict[str, Any], says: str
) -> None:
    payload = CursorPayload("page_one", "lists", {}, 5, -1, state)
    with pytest.raises(InvalidCursorError) as caught:
        _continue_strict(engine, encode_cursor(payload, engine.cursor_key))
    assert says in caught.value.message


@pytest.mark.parametrize("limit", [0, -5, 51, 10**12, True])
def test_a_page_size_beyond_the_resource_maximum_is_an_invalid_cursor(
    engine: Engine, limit: Any
) -> None:
    payload = CursorPayload("cursor_before", "lists", {}, limit, -1, {"page_no": 2, "cursor": "c"})
    wire, cursor = Recorder(), encode_cursor(payload, engine.cursor_key)
    with (
        engine.connect("cursor_before", credentials={"api_key": "k"}, transport=wire) as c,
        pytest.raises(InvalidCursorError),
    ):
        c.call("lists", "list", query={"next_cursor": cursor})
    assert wire.sent == []


def test_a_limit_above_the_maximum_is_clamped_before_it_is_sealed(engine: Engine) -> None:
    wire = Recorder({"data": [{"id": 1}], "meta": {"has_next": True, "end_cursor": "e"}})
    with engine.connect("cursor_before", credentials={"api_key": "k"}, transport=wire) as c:
        first = c.call("lists", "list", query={"limit": 10**9})
        c.call("lists", "list", query={"next_cursor": first["next_cursor"]})
    assert [r.url.params["limit"] for r in wire.sent] == ["50", "50"]


@FORGED
@given(state=STATES, query=JSON)
def test_a_forged_proxy_cursor_is_invalid_or_stays_in_range(
    engine: Engine, state: dict[str, Any], query: Any
) -> None:
    filters = {"method": "GET", "path": "/lists", "query": query}
    payload = CursorPayload("offset_total", "proxy", filters, None, -1, state)
    cursor = encode_cursor(payload, engine.cursor_key)
    wire = Recorder()
    with engine.connect("offset_total", credentials={"api_key": "k"}, transport=wire) as c:
        try:
            c.proxy("GET", "/lists", query={"next_cursor": cursor}, paginate=True)
        except InvalidCursorError:
            assert wire.sent == []
    for request in wire.sent:
        _in_range(engine, "offset_total", request)


def test_a_proxy_cursor_whose_query_has_an_empty_name_is_invalid(engine: Engine) -> None:
    filters = {"method": "GET", "path": "/lists", "query": [["", ""]]}
    payload = CursorPayload("offset_total", "proxy", filters, None, -1, {})
    cursor = encode_cursor(payload, engine.cursor_key)
    wire = Recorder()
    connection = engine.connect("offset_total", credentials={"api_key": "k"}, transport=wire)
    with connection, pytest.raises(InvalidCursorError):
        connection.proxy("GET", "/lists", query={"next_cursor": cursor}, paginate=True)
    assert wire.sent == []
