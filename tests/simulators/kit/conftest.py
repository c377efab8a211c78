"""Fixtures: a seeded Kit simulator on a fake clock and an in-process client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulators.core.clock import FakeClock
from simulators.kit import Simulator


@pytest.fixture
def clock() -> FakeClock:
    """A clock that only moves when told."""
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[Simulator]:
    """A simulator with 60 subscribers, 4 tags, 2 segments, 3 custom fields; no rate limit."""
    simulator = Simulator(seed=7, clock=clock, rate_limit=None).seed_data(
        subscribers=60, tags=4, segments=2, fields=3
    )
    yield simulator
    simulator.close()


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    """A sync client wired to `sim` in process."""
    with sim.client() as c:
        yield c
