"""Fixtures for the proxy tests: a seeded simulator and an engine connected to it in process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from engine.api import Connection, Engine
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The bundled mappings."""
    return Engine.load()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """120 subscribers, 12 groups, no rate limits."""
    simulator = Simulator(seed=11, rate_limit=None, import_limit=None)
    simulator.seed_data(subscribers=120, groups=12, segments=1)
    yield simulator
    simulator.close()


@pytest.fixture
def ml(engine: Engine, sim: Simulator) -> Iterator[Connection]:
    """A sync MailerLite connection to `sim` (in process)."""
    with engine.connect(
        "mailerlite",
        {"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
    ) as connection:
        yield connection


class Counting(httpx.BaseTransport):
    """A transport that counts requests and answers 200 `{}` (it must never be reached)."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, json={})
