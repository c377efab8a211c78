"""Listing every record keeps one page in memory: while the next page is read, no record of
the page before is still held (by `iterate`, `pages` or `unimap call --all`); `iterate` maps a
page a chunk at a time, so no more than a chunk of unified records lives at once."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator

import httpx
import pytest

from engine.api import Engine
from engine.cli.call import _stream
from engine.plan.pending import MAPPED_AT_ONCE
from engine.run.clock import FakeClock
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator

PAGE = 200


def _held_records() -> int:
    """Unified records alive now (mapped contacts: `email` and `remote_data` keys)."""
    gc.collect()
    return sum(
        1 for o in gc.get_objects() if type(o) is dict and "remote_data" in o and "email" in o
    )


class _Watching(httpx.BaseTransport):
    """The simulator, counting the unified records alive when each request is sent."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.held: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.held.append(_held_records())
        return self.inner.handle_request(request)

    def added(self) -> list[int]:
        """Records alive at each later request, beyond those alive at the first."""
        return [held - self.held[0] for held in self.held[1:]]


@pytest.fixture(scope="module")
def account() -> Simulator:
    simulator = Simulator(seed=9, rate_limit=None, import_limit=None)
    return simulator.seed_data(subscribers=4 * PAGE, groups=2, segments=0)


@pytest.fixture
def watched(account: Simulator) -> Iterator[tuple[object, _Watching]]:
    wire = _Watching(account.transport())
    engine = Engine.load(clock=FakeClock())
    with engine.connect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=wire,
    ) as connection:
        yield connection, wire


def test_iterate_holds_no_record_of_the_page_before_while_reading_the_next(watched) -> None:
    connection, wire = watched
    count = 0
    for _record in connection.iterate("contacts", {"limit": PAGE}):
        count += 1
    assert count == 4 * PAGE
    assert len(wire.held) == 4
    assert max(wire.added()) <= 1  # at most the consumer's last record


def test_iterate_holds_at_most_one_chunk_of_unified_records(watched) -> None:
    connection, _wire = watched
    before = _held_records()
    held = [
        _held_records() - before
        for index, _record in enumerate(connection.iterate("contacts", {"limit": PAGE}))
        if index % 100 == 0
    ]
    assert len(held) == 4 * PAGE // 100
    assert 1 <= max(held) <= MAPPED_AT_ONCE < PAGE


def test_pages_hold_no_record_of_the_page_before_while_reading_the_next(watched) -> None:
    connection, wire = watched
    sizes = []
    for page in connection.pages("contacts", {"limit": PAGE}):
        sizes.append(len(page))
        del page
    assert sizes == [PAGE] * 4
    assert max(wire.added()) == 0


def test_call_all_holds_no_record_of_the_page_before_while_reading_the_next(
    watched, monkeypatch
) -> None:
    connection, wire = watched
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert _stream(connection, "contacts", {"limit": PAGE}, remote_data=True) == 0
    assert len(out.getvalue().splitlines()) == 4 * PAGE
    assert len(wire.held) == 4
    assert max(wire.added()) <= 1  # at most the last record written
