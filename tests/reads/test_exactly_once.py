"""Listing contacts through `iterate` returns each exactly once, in the provider's order: every
page boundary at page sizes 1, 7 and 25 over 1,000 contacts; 20,000 contacts at page size 1,000
(sync) and 250 (async)."""

from __future__ import annotations

import asyncio

import pytest

from engine.api import AsyncConnection, Connection, Engine
from engine.run.clock import FakeClock
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from tests.reads.helpers import CountingTransport

CONTACTS = 20_000
SMALL = 1_000
"""Tiny pages cross a page boundary per contact: 1,000 of them prove what 20,000 would."""


def _account(contacts: int) -> Simulator:
    return Simulator(seed=5, rate_limit=None, import_limit=None).seed_data(
        subscribers=contacts, groups=3, segments=0
    )


@pytest.fixture(scope="module")
def big() -> Simulator:
    """20,000 subscribers, no simulator rate limit."""
    return _account(CONTACTS)


@pytest.fixture(scope="module")
def small() -> Simulator:
    """1,000 subscribers, no simulator rate limit."""
    return _account(SMALL)


def _newest_first(simulator: Simulator) -> list[str]:
    return [str(sub.id) for sub in simulator.state.iter_newest_first()]


@pytest.fixture(scope="module")
def expected(big: Simulator) -> list[str]:
    """The provider's order: newest first."""
    return _newest_first(big)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """Bundled mappings; client-side pacing on a fake clock so 20,000 requests do not wait."""
    return Engine.load(clock=FakeClock())


def _connect(engine: Engine, wire: CountingTransport) -> Connection:
    """A connection to the simulated account behind `wire`."""
    return engine.connect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=wire,
    )


def _aconnect(engine: Engine, account: Simulator) -> AsyncConnection:
    """An async connection to the simulated `account`."""
    return engine.aconnect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=account.transport(),
    )


def _iterate(engine: Engine, account: Simulator, page_size: int) -> tuple[list[str], int]:
    """The ids `iterate` yields at `page_size`, and how many requests it sent."""
    wire = CountingTransport(account.transport())
    with _connect(engine, wire) as connection:
        ids = [r["id"] for r in connection.iterate("contacts", {"limit": page_size})]
    return ids, len(wire.requests)


@pytest.mark.parametrize("page_size", [1, 7, 25])
def test_iterate_at_tiny_pages_returns_every_contact_once_in_order(
    engine: Engine, small: Simulator, page_size: int
) -> None:
    ids, requests = _iterate(engine, small, page_size)
    assert ids == _newest_first(small)
    assert len(set(ids)) == SMALL
    assert requests == -(-SMALL // page_size)


@pytest.mark.parametrize("page_size", [1000])
def test_iterate_returns_every_contact_once_in_order(
    engine: Engine, big: Simulator, expected: list[str], page_size: int
) -> None:
    ids, requests = _iterate(engine, big, page_size)
    assert len(ids) == CONTACTS
    assert ids == expected
    assert requests == -(-CONTACTS // page_size)


def test_async_iterate_returns_every_contact_once_in_order(
    engine: Engine, big: Simulator, expected: list[str]
) -> None:
    async def collect() -> list[str]:
        async with _aconnect(engine, big) as connection:
            return [r["id"] async for r in connection.iterate("contacts", {"limit": 250})]

    assert asyncio.run(collect()) == expected


def test_pages_are_the_provider_pages_of_what_iterate_yields(
    engine: Engine, small: Simulator
) -> None:
    wire = CountingTransport(small.transport())
    with _connect(engine, wire) as connection:
        pages = list(connection.pages("contacts", {"limit": 300}))
    assert [len(page) for page in pages] == [300, 300, 300, 100]
    assert [r["id"] for page in pages for r in page] == _newest_first(small)
    assert len(wire.requests) == 4


def test_async_pages_are_the_provider_pages_of_what_iterate_yields(
    engine: Engine, small: Simulator
) -> None:
    async def collect() -> list[list[str]]:
        async with _aconnect(engine, small) as connection:
            pages = connection.pages("contacts", {"limit": 400})
            return [[r["id"] for r in page] async for page in pages]

    pages = asyncio.run(collect())
    assert [len(page) for page in pages] == [400, 400, 200]
    assert [i for page in pages for i in page] == _newest_first(small)
