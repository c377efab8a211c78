"""Fixtures: the bundled engine, a seeded Mailchimp simulator and a connection to it.

The connection uses the mapping's own base URL (built from the key's data centre) with the
simulator's in-process transport, so nothing leaves the process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.api import Connection, Engine
from engine.run.clock import FakeClock
from simulators.mailchimp import DEFAULT_TOKEN, Simulator
from simulators.mailchimp.sandbox import settings


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The bundled mappings on a fake clock."""
    return Engine.load(clock=FakeClock())


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """150 members over 12 audiences (so audience listings span several pages)."""
    simulator = Simulator(seed=5).seed_data(members=150, audiences=12, segments=2)
    yield simulator
    simulator.close()


@pytest.fixture
def conn(engine: Engine, sim: Simulator) -> Iterator[Connection]:
    """A connection with the simulator's key and its first audience as `list_id`; the
    base URL comes from the mapping (data centre of the key)."""
    connection = engine.connect(
        "mailchimp",
        credentials={"api_key": DEFAULT_TOKEN},
        transport=sim.transport(),
        settings=settings(sim),
    )
    yield connection
    connection.close()
