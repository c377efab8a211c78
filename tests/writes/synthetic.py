"""The synthetic `relay` provider (tests/writes/providers/relay) under respx: an engine, a
connection, canned JSON answers and the requests the engine sent."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import respx

from engine.api import AsyncConnection, Connection, Engine
from engine.run.clock import FakeClock

PROVIDERS = Path(__file__).parent / "providers"
BASE_URL = "https://api.relay.test/v3"
"""The base URL `relay` declares; respx mocks are mounted on it."""


@cache
def relay_engine() -> Engine:
    """The engine over the synthetic write providers (pacing on a fake clock)."""
    return Engine.load(PROVIDERS, clock=FakeClock())


def relay() -> Connection:
    """A sync connection to `relay` (respx answers its requests)."""
    return relay_engine().connect("relay", credentials={"api_key": "relay-key"})


def arelay() -> AsyncConnection:
    """An async connection to `relay` (respx answers its requests)."""
    return relay_engine().aconnect("relay", credentials={"api_key": "relay-key"})


def answer(status: int, body: Any = None) -> httpx.Response:
    """A canned provider answer: JSON when `body` is given, else no content."""
    return httpx.Response(status, json=body) if body is not None else httpx.Response(status)


def contact(number: int, email: str, state: str = "subscribed") -> dict[str, Any]:
    """A `relay` contact record as its `GET /contacts/{id}` returns it."""
    return {"id": number, "email": email, "first": "Ann", "state": state}


def sent(mock: respx.MockRouter) -> list[tuple[str, str, Any]]:
    """Every request respx saw: `(method, path below the base URL, JSON body or None)`."""
    calls = []
    for call in mock.calls:
        raw = call.request.content
        path = call.request.url.path.removeprefix("/v3")
        calls.append((call.request.method, path, json.loads(raw) if raw else None))
    return calls


BATCH_BASE_URL = "https://api.relay-batch.test/v3"
"""The base URL of `relay_batch` (the same provider with a batch endpoint of 2 items)."""


def relay_batch() -> Connection:
    """A sync connection to `relay_batch` (respx answers its requests)."""
    return relay_engine().connect("relay_batch", credentials={"api_key": "relay-key"})
