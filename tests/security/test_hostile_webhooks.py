"""Hostile webhook deliveries: headers of any type, bodies of any kind, the same events
re-batched. Only unified errors come out, and a redelivered event is one event."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.api import Engine
from engine.errors import SignatureError, UnimapError, ValidationError
from engine.webhooks import Deduplicator, sign

SECRET = "whsec-security-suite"


def _signed(engine: Engine, body: bytes) -> dict[str, str]:
    spec = engine.mapping("mailerlite").provider.webhooks
    assert spec is not None
    return {"Signature": sign(spec.signature, body, SECRET)}


def _event(number: int) -> dict[str, Any]:
    return {
        "event": "subscriber.updated",
        "id": str(1000 + number),
        "email": f"person{number}@example.com",
        "status": "active",
        "updated_at": f"2025-01-02T03:04:{number % 60:02d}.000000Z",
    }


def _deliver(engine: Engine, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    body = json.dumps({"events": events}).encode()
    return engine.webhooks.handle("mailerlite", _signed(engine, body), body, secret=SECRET)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), count=st.integers(1, 12))
def test_the_same_events_rebatched_are_deduplicated(
    engine: Engine, data: st.DataObject, count: int
) -> None:
    events = [_event(n) for n in range(count)]
    first = _deliver(engine, events)
    again = data.draw(st.permutations(events))
    cuts = sorted(data.draw(st.sets(st.integers(1, count), max_size=3)))
    batches = [again[a:b] for a, b in zip([0, *cuts], [*cuts, count], strict=True) if a < b]
    dedupe = Deduplicator()
    fresh = dedupe.filter(first)
    for batch in batches:
        assert dedupe.filter(_deliver(engine, batch)) == []
    assert len(fresh) == count
    assert {e["id"] for e in first} == {e["id"] for b in batches for e in _deliver(engine, b)}


def test_a_bytes_signature_header_is_verified(engine: Engine) -> None:
    body = json.dumps(_event(1)).encode()
    value = _signed(engine, body)["Signature"].encode()
    for headers in ({b"Signature": value}, {"signature": value}, [(b"signature", value)]):
        events = engine.webhooks.handle("mailerlite", headers, body, secret=SECRET)  # type: ignore[arg-type]
        assert [e["contact"]["email"] for e in events] == ["person1@example.com"]


def test_a_wrong_bytes_signature_is_a_signature_error(engine: Engine) -> None:
    body = json.dumps(_event(1)).encode()
    with pytest.raises(SignatureError, match="does not match"):
        engine.webhooks.handle("mailerlite", {b"Signature": b"0" * 64}, body, secret=SECRET)  # type: ignore[dict-item]


def test_a_body_that_is_not_bytes_is_a_validation_error(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="raw_body must be bytes, not NoneType"):
        engine.webhooks.handle("mailerlite", {}, None, secret=SECRET)  # type: ignore[arg-type]


def _assert_handled(deliver: Callable[[], list[dict[str, Any]]]) -> None:
    """Events, or a unified client error (bad signature 401, bad body 400/422)."""
    try:
        events = deliver()
    except UnimapError as error:
        assert error.status_code in (400, 401, 422), error
    else:
        assert all(isinstance(event["id"], str) for event in events)


HEADER_PART = st.text(max_size=30) | st.binary(max_size=30)
HEADER_VALUE = HEADER_PART | st.none() | st.integers() | st.lists(st.text(max_size=3), max_size=2)
BODIES = (
    st.binary(max_size=200)
    | st.text(max_size=200)
    | st.just(b"[" * 50_000 + b"]" * 50_000)
    | st.just(b'{"events": [' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"]}")
)


@settings(max_examples=300, deadline=None)
@given(
    headers=st.dictionaries(HEADER_PART | st.just("Signature"), HEADER_VALUE, max_size=4),
    body=BODIES,
    secret=st.text(max_size=20),
)
def test_any_headers_and_body_end_in_events_or_a_unified_error(
    engine: Engine, headers: dict[Any, Any], body: bytes | str, secret: str
) -> None:
    _assert_handled(lambda: engine.webhooks.handle("mailerlite", headers, body, secret=secret))


@settings(max_examples=200, deadline=None)
@given(body=BODIES)
def test_any_signed_body_ends_in_events_or_a_unified_error(
    engine: Engine, body: bytes | str
) -> None:
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    headers = _signed(engine, raw)
    _assert_handled(lambda: engine.webhooks.handle("mailerlite", headers, raw, secret=SECRET))
