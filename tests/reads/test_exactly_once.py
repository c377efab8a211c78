"""Listing 20,000 contacts through `iterate` returns each exactly once, in the provider's order."""

from __future__ import annotations

import asyncio

import pytest

from engine.api import Engine
from engine.run.clock import FakeClock
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from tests.reads.helpers import CountingTransport

CONTACTS = 20_000


@pytest.fixture(scope="module")
def big() -> Simulator:
    """20,000 subscribers, no simulator rate limit."""
    return Simulator(seed=5, rate_limit=None, import_limit=None).seed_data(
        subscribers=CONTACTS, groups=3, segments=0
    )


@pytest.fixture(scope="module")
def expected(big: Simulator) -> list[str]:
    """The provider's order: newest first."""
    return [str(sub.id) for sub in big.state.iter_newest_first()]


@pytest.fixture(scope="module")
def engine() -> Engine:
    """Bundled mappings; client-side pacing on a fake clock so 20,000 requests do not wait."""
    return Engine.load(clock=FakeClock())


@pytest.mark.parametrize("page_size", [1, 7, 25, 1000])
def test_iterate_returns_every_contact_once_in_order(
    engine: Engine, big: Simulator, expected: list[str], page_size: int
) -> None:
    wire = CountingTransport(big.transport())
    with engine.connect(
        "mailerlite", credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL, transport=wire,
    ) as connection:
        ids = [r["id"] for r in connection.iterate("contacts", {"limit": page_size})]
    assert len(ids) == CONTACTS
    assert ids == expected
    assert len(wire.requests) == -(-CONTACTS // page_size)


def test_async_iterate_returns_every_contact_once_in_order(
    engine: Engine, big: Simulator, expected: list[str]
) -> None:
    async def collect() -> list[str]:
        async with engine.aconnect(
            "mailerlite", credentials={"api_key": DEFAULT_TOKEN},
            base_url=IN_PROCESS_BASE_URL, transport=big.transport(),
        ) as connection:
            return [r["id"] async for r in connection.iterate("contacts", {"limit": 250})]

    assert asyncio.run(collect()) == expected
