"""Fixtures: a small seeded Brevo simulator on a fake clock and an in-process client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulators.brevo import FakeClock, Simulator


@pytest.fixture
def clock() -> FakeClock:
    """A manual clock starting at 2025-01-01 00:00:00 UTC."""
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[Simulator]:
    """40 contacts, 3 lists, 3 segments, no rate limits."""
    simulator = Simulator(seed=3, clock=clock, rate_limit=None)
    simulator.seed_data(contacts=40, lists=3, segments=3)
    yield simulator
    simulator.close()


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    """A sync client for `sim` (base URL ends in `/v3`, `api-key` header set)."""
    with sim.client() as c:
        yield c
