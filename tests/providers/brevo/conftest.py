"""A seeded Brevo simulator and an engine connection to it, in process, on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.api import Connection, Engine
from engine.run.clock import FakeClock as EngineClock
from simulators.brevo import DEFAULT_TOKEN, FakeClock, Simulator

CONTACTS = 60
LISTS = 4


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The bundled mappings; pacing waits pass on a fake clock."""
    return Engine.load(clock=EngineClock())


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """60 contacts, 4 lists, 3 segments; Brevo's own rate limits off."""
    simulator = Simulator(seed=9, clock=FakeClock(), rate_limit=None)
    simulator.seed_data(contacts=CONTACTS, lists=LISTS, segments=3)
    yield simulator
    simulator.close()


@pytest.fixture
def brevo(engine: Engine, sim: Simulator) -> Iterator[Connection]:
    """An engine connection to `sim`."""
    connection = engine.connect(
        "brevo",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url="http://brevo.sim/v3",
        transport=sim.transport(),
    )
    yield connection
    connection.close()
