"""Brevo's rate-limit headers: `x-sib-ratelimit-*`, and 429s without Retry-After."""

from __future__ import annotations

from typing import Any

import httpx

from engine.api import Engine
from simulators.brevo import DEFAULT_TOKEN, FakeClock, Simulator
from tests.providers.brevo.conftest import CONTACTS


class Recording(httpx.BaseTransport):
    """Passes requests to the simulator and records each status."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = sim.transport()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response


def _list_all(sim: Simulator, clock: FakeClock) -> tuple[list[Any], Recording]:
    transport = Recording(sim)
    engine = Engine.load(clock=clock)
    with engine.connect(
        "brevo",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url="http://brevo.sim/v3",
        transport=transport,
    ) as connection:
        ids = [r["id"] for r in connection.contacts.iterate(limit=7)]
    return ids, transport


def test_remaining_and_reset_headers_pace_requests_without_429s() -> None:
    clock = FakeClock()
    sim = Simulator(seed=9, clock=clock, rate_limit=(3, 1.0)).seed_data(contacts=CONTACTS)
    ids, transport = _list_all(sim, clock)
    assert len(set(ids)) == CONTACTS == len(ids)
    assert 429 not in transport.statuses
    assert clock.monotonic() >= 2.0


def test_429_without_retry_after_is_retried_after_the_reset() -> None:
    clock = FakeClock()
    sim = Simulator(seed=2, clock=clock, rate_limit=None, faults="429burst:0.3x2")
    sim.seed_data(contacts=CONTACTS)
    ids, transport = _list_all(sim, clock)
    assert len(set(ids)) == CONTACTS == len(ids)
    assert 429 in transport.statuses
