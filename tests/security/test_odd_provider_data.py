"""Odd provider data never ends a listing or drops a webhook batch.

The function library is total (a value it cannot convert is `null`, with a warning), a field
expression that fails on one record maps that field to `null` (logged on `unimap.mapping`), a
record or response nested too deeply is refused with a unified error, and a webhook event the
engine cannot normalise is delivered as `provider.unreadable` while the rest of its batch is
normalised as usual.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import httpx
import pytest
from jmespath.exceptions import JMESPathError

from engine.api import Engine
from engine.errors import RemoteError, UnimapError
from engine.expressions import compile_expression
from engine.expressions.functions import FUNCTION_DOCS, to_iso8601
from engine.expressions.warnings import collect_warnings
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy
from engine.webhooks.events import normalise_all
from tests.security.warnings_log import warnings_on

HOSTILE_VALUES: list[Any] = [
    1_700_000_000_000,  # milliseconds since the epoch
    1.7e12,
    1e300,
    -1e300,
    -(10**20),
    10**400,
    math.inf,
    -math.inf,
    math.nan,
    True,
    False,
    "",
    "not a date",
    "2025-13-40",
    "2025-02-30 10:00:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
    "\ud800",
    "x" * 10_000,
    [],
    [1, 2],
    {},
    {"a": None},
    None,
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda v: repr(v)[:30])
def test_to_iso8601_converts_or_gives_null_with_a_warning(value: Any) -> None:
    """Every odd value gives an ISO-8601 string or `null`; a non-empty value that gives
    `null` leaves a warning."""
    with collect_warnings() as warnings:
        result = to_iso8601(value)
    assert result is None or (isinstance(result, str) and result.endswith("Z"))
    if result is None and value not in (None, ""):
        assert warnings


def _one_argument_calls() -> list[str]:
    names = sorted(set(FUNCTION_DOCS) - {"map_value"})
    calls = []
    for name in names:
        signature = FUNCTION_DOCS[name][0]
        if signature.count(",") == 0 and "..." not in signature:
            calls.append(f"{name}(@)")
        elif name in ("omit", "pick"):
            calls.append(f"{name}(@, ['a'])")
        elif name == "split":
            calls.extend([f"{name}(@, '-')", f"{name}(@, '')"])
        elif name == "format_datetime":
            calls.extend([f"{name}(@, '%Y')", f"{name}(@, '%')"])
        else:
            calls.append(f"{name}(@, @)")
    return calls


@pytest.mark.parametrize("call", _one_argument_calls())
def test_library_functions_raise_nothing_but_type_errors(call: str) -> None:
    """On every hostile value a library function converts, gives `null`, or raises a JMESPath
    type error (which the record mapper turns into `null` for that field) — nothing else."""
    search = compile_expression(call).search
    for value in HOSTILE_VALUES:
        with contextlib.suppress(JMESPathError):
            search(value)


PAGE_HEADERS = {"content-type": "application/json"}


def _subscriber(index: int, created_at: Any) -> dict[str, Any]:
    return {
        "id": str(index),
        "email": f"s{index}@example.com",
        "status": "active",
        "created_at": created_at,
        "updated_at": "2025-01-01 00:00:00",
        "fields": {},
        "groups": [],
    }


def test_odd_values_in_a_listing_map_to_null_and_the_listing_goes_on() -> None:
    """A page whose records carry every hostile timestamp maps them all: the odd ones `null`,
    each logged as a warning naming the record, never the value."""
    records = [_subscriber(i, value) for i, value in enumerate(HOSTILE_VALUES)]
    body = {"data": records, "meta": {"next_cursor": None}, "links": {"next": None}}
    content = json.dumps(body).encode()  # NaN and Infinity too, as Python's json reads them
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=content, headers=PAGE_HEADERS)
    )
    engine = Engine.load(clock=FakeClock())
    connection = engine.connect("mailerlite", {"api_key": "k"}, transport=transport)
    with warnings_on("unimap.mapping") as records:
        page = connection.contacts.list(limit=100)
    assert page["result_count"] == len(HOSTILE_VALUES)
    for record in page["result"]:
        assert record["created_at"] is None or record["created_at"].endswith("Z")
    ids = {r.getMessage().split()[1].rstrip(":") for r in records}
    text = "\n".join(r.getMessage() for r in records)
    assert {"0", "2", "12"} <= ids  # ms since the epoch, 1e300, 'not a date'
    assert "'not a date'" not in text and "xxxxxxxxxx" not in text


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_record_nested_too_deeply_is_a_unified_error() -> None:
    """A record nested beyond what can be mapped is refused with `RemoteError`, not a
    `RecursionError`."""
    engine = Engine.load()
    mapper_records = [_subscriber(1, "2025-01-01 00:00:00") | {"fields": _nested(50_000)}]
    from engine.plan.records import RecordMapper

    mapping = engine.mapping("mailerlite")
    mapper = RecordMapper(mapping, "contacts", mapping.resources["contacts"].fields)
    with pytest.raises(RemoteError, match="nested too deeply"):
        mapper.map_many(mapper_records)


def test_a_response_nested_too_deeply_is_a_unified_error() -> None:
    """A provider answering JSON nested 100,000 levels deep gets a unified error."""
    text = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, text=text, headers=PAGE_HEADERS)
    )
    engine = Engine.load(clock=FakeClock(), retry_policy=RetryPolicy(max_attempts=2))
    connection = engine.connect("mailerlite", {"api_key": "k"}, transport=transport)
    with pytest.raises(UnimapError, match="nested too deeply"):
        connection.contacts.list(limit=10)


def _event(index: int, created_at: Any) -> dict[str, Any]:
    return {"event": "subscriber.created", "subscriber": _subscriber(index, created_at)}


def test_one_bad_event_in_two_thousand_does_not_drop_the_batch() -> None:
    """2,000 events, 121 of them hostile (odd timestamps, deep nesting, odd types): all 2,000
    come out, in order; the ones that cannot be normalised as `provider.unreadable`."""
    engine = Engine.load()
    hostile = [v for v in HOSTILE_VALUES if v is not None]
    deep = _nested(50_000)  # built once: the deeply nested events share it
    events: list[Any] = []
    bad = 0
    for index in range(2000):
        if index % 16 == 0 and bad < 121:
            bad += 1
            kind = bad % 3
            if kind == 0:
                events.append(_event(index, hostile[bad % len(hostile)]))
            elif kind == 1:
                events.append(_event(index, "2025-01-01 00:00:00") | {"deep": deep})
            else:
                events.append({"event": ["odd"], "subscriber": {"id": {"x": 1}, "email": 5}})
        else:
            events.append(_event(index, "2025-01-01 00:00:00"))
    mapping = engine.mapping("mailerlite")
    unified = normalise_all(mapping, {"events": events})
    assert bad == 121
    assert len(unified) == 2000
    unreadable = [e for e in unified if e["type"] == "provider.unreadable"]
    assert len(unreadable) == 41  # the deeply nested ones (every third bad one, from the 1st)
    assert all(e["raw"] == {} for e in unreadable)


def test_webhook_body_nested_too_deeply_is_a_validation_error() -> None:
    """A delivery body nested too deeply to parse is a `ValidationError` for the delivery."""
    engine = Engine.load()
    body = json.dumps({"events": []})[:-2] + "[" * 100_000 + "]" * 100_000 + "]}"
    with pytest.raises(UnimapError, match="nested too deeply"):
        engine.webhooks.parse("mailerlite", body)
