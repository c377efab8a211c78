"""Fixtures for the read-path tests: synthetic providers under respx, the MailerLite simulator,
and a validator that checks every unified record and envelope against `schemas/unified/`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.api import Connection, Engine
from engine.run.clock import FakeClock
from engine.unified.validate import validate_envelope, validate_record
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from tests.reads.helpers import PROVIDERS, TOKEN, CountingTransport


@pytest.fixture(scope="session")
def synthetic_engine() -> Engine:
    """The engine loaded from `tests/reads/providers` (pacing on a fake clock)."""
    return Engine.load(PROVIDERS, clock=FakeClock())


@pytest.fixture
def connect(synthetic_engine: Engine) -> Iterator[Callable[[str], Connection]]:
    """`connect(name)`: a sync connection to a synthetic provider (no transport: respx)."""
    opened: list[Connection] = []

    def make(provider: str) -> Connection:
        connection = synthetic_engine.connect(provider, credentials={"api_key": TOKEN})
        opened.append(connection)
        return connection

    yield make
    for connection in opened:
        connection.close()


@pytest.fixture
def assert_valid() -> Callable[[str, Any], None]:
    """`assert_valid(resource, value)`: a unified record, or a list envelope, has no problem.

    An envelope (a dict with `result`) is checked as a whole and record by record; `created`
    (upsert results) is ignored.
    """

    def check(resource: str, value: Any) -> None:
        if isinstance(value, dict) and "result" in value and "next_cursor" in value:
            problems = validate_envelope(resource, value)
            assert not problems, f"{resource} envelope: {problems}"
            for record in value["result"]:
                check(resource, record)
            return
        record = dict(value)
        record.pop("created", None)
        problems = validate_record(resource, record)
        assert not problems, f"{resource} record {record.get('id')}: {problems}"

    return check


@pytest.fixture(scope="module")
def sim() -> Simulator:
    """A seeded MailerLite simulator (300 subscribers) without rate limits."""
    return Simulator(seed=11, rate_limit=None, import_limit=None).seed_data(
        subscribers=300, groups=4, segments=3
    )


@pytest.fixture(scope="module")
def ml_engine() -> Engine:
    """The bundled mappings, pacing on a fake clock (the simulator has no rate limit here)."""
    return Engine.load(clock=FakeClock())


@pytest.fixture
def wire(sim: Simulator) -> CountingTransport:
    """The in-process simulator transport, counting the requests that reach it."""
    return CountingTransport(sim.transport())


@pytest.fixture
def ml(ml_engine: Engine, wire: CountingTransport) -> Iterator[Connection]:
    """A sync MailerLite connection to the in-process simulator (through `wire`)."""
    connection = ml_engine.connect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=wire,
    )
    yield connection
    connection.close()
