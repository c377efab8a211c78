"""The engine with the bundled Kit mapping, connected in process to a seeded Kit simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.api import Connection, Engine
from engine.run.clock import FakeClock
from simulators.kit import DEFAULT_TOKEN, Simulator


@pytest.fixture(scope="module")
def engine() -> Engine:
    """Bundled mappings; pacing waits pass on a fake clock."""
    return Engine.load(clock=FakeClock())


@pytest.fixture
def sim() -> Simulator:
    """45 subscribers (some not active), 4 tags, 2 segments, 3 custom fields; no rate limit."""
    return Simulator(seed=11, rate_limit=None).seed_data(
        subscribers=45, tags=4, segments=2, fields=3
    )


@pytest.fixture
def kit(engine: Engine, sim: Simulator) -> Iterator[Connection]:
    """A connection to `sim`."""
    connection = engine.connect(
        "kit",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url="http://kit.sim/v4",
        transport=sim.transport(),
    )
    yield connection
    connection.close()
